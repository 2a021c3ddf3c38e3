/**
 * The mail templates this process uses: the shipped ones, with the deployer's files in their
 * place, from a folder (CIS_TEMPLATES_DIR; on Lambda, a layer's folder under /opt) or from a
 * key prefix in the mail bucket (CIS_TEMPLATES_S3_PREFIX). Read and checked once, when the
 * process starts (server/plugins/mail-templates.ts, server/queues/send.lambda.ts): a file
 * that is no template, or that uses a placeholder its mail does not fill, stops the start
 * with the file and the name. Files not ending in .txt or .html are left alone.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { readTemplateObjects } from '../aws/template-store'
import { config } from '../config'
import { compileMailTemplates, isTemplateFileName, shippedMailTemplates, type MailTemplates, type TemplateFile } from './mail'

/** The template files of a folder, in name order (links followed; subfolders left out). */
export function readTemplateFolder(folder: string): TemplateFile[] {
  if (!existsSync(folder)) throw new Error(`CIS_TEMPLATES_DIR ${folder} does not exist.`)
  return readdirSync(folder)
    .filter((fileName) => isTemplateFileName(fileName) && statSync(join(folder, fileName)).isFile())
    .sort()
    .map((fileName) => ({ fileName, location: join(folder, fileName), text: readFileSync(join(folder, fileName), 'utf8') }))
}

/** The template files under a prefix of the mail bucket, in name order, each located by its s3:// address. */
export async function readTemplatePrefix(prefix: string): Promise<TemplateFile[]> {
  const bucket = config().mailBucket
  return (await readTemplateObjects(prefix, isTemplateFileName)).map(({ key, fileName, text }) => ({ fileName, location: `s3://${bucket}/${key}`, text }))
}

let inUse: { source: string; templates: Promise<MailTemplates> } | undefined

/**
 * The templates in use, loaded once per configured source. Mail-writing paths await this;
 * the first call (at start) does the reading, so a bad file is found then.
 */
export function useMailTemplates(): Promise<MailTemplates> {
  const { templatesDir, templatesS3Prefix, mailBucket } = config()
  const source = JSON.stringify([templatesDir, templatesS3Prefix && mailBucket, templatesS3Prefix])
  if (inUse?.source !== source) {
    const templates = (async () => {
      if (templatesDir) return compileMailTemplates(readTemplateFolder(templatesDir))
      if (templatesS3Prefix) return compileMailTemplates(await readTemplatePrefix(templatesS3Prefix))
      return shippedMailTemplates
    })()
    inUse = { source, templates }
  }
  return inUse.templates
}
