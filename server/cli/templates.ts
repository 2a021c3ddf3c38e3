/**
 * `cis templates export DIR`: writes the shipped mail templates into DIR, the files a
 * deployer edits and then names in CIS_TEMPLATES_DIR or uploads under
 * CIS_TEMPLATES_S3_PREFIX (any left unchanged may be deleted: the shipped text stays in
 * use). Files already in DIR are not overwritten.
 *
 * `cis templates check [DIR]`: checks DIR, or the configured folder or S3 prefix, as the
 * server does when it starts, and says which files it would use.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SHIPPED_TEMPLATE_FILES } from '../templates/shipped'
import { compileMailTemplates, TEMPLATE_FILE_NAMES, type TemplateFile } from '../templates/mail'
import { readTemplateFolder, readTemplatePrefix } from '../templates/in-use'
import { config } from '../config'

/** Writes every shipped template into `folder` (created if need be); returns the paths written. */
export async function exportTemplates(folder: string): Promise<string[]> {
  await mkdir(folder, { recursive: true })
  const written: string[] = []
  for (const fileName of TEMPLATE_FILE_NAMES) {
    const path = join(folder, fileName)
    try {
      await writeFile(path, SHIPPED_TEMPLATE_FILES[fileName], { flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${path} exists already; it was left as it is (${written.length} files written before it).`)
      throw error
    }
    written.push(path)
  }
  return written
}

/** Checks the templates of `folder`, or of the configured source; throws the first problem, naming its file. */
export async function checkTemplates(folder?: string): Promise<string> {
  const { templatesDir, templatesS3Prefix, mailBucket } = config()
  const where = folder ?? templatesDir ?? (templatesS3Prefix ? `s3://${mailBucket}/${templatesS3Prefix}` : null)
  if (!where) return 'No CIS_TEMPLATES_DIR or CIS_TEMPLATES_S3_PREFIX is set: the shipped templates are in use.'
  const files: TemplateFile[] = folder || templatesDir ? readTemplateFolder((folder ?? templatesDir)!) : await readTemplatePrefix(templatesS3Prefix!)
  compileMailTemplates(files)
  const used = files.map((file) => file.fileName)
  return used.length
    ? `${where}: ${used.join(', ')} in place of the shipped ${used.length === 1 ? 'one' : 'ones'}; the others as shipped.`
    : `${where} holds no template file: the shipped templates are in use.`
}
