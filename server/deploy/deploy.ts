/**
 * `npm run deploy`, step by step, against the clients it is given (AWS itself, or in tests a
 * replay of AWS's answers): check the account, upload the function zips and the template to
 * the code bucket, create a change set, show it and ask, execute it while showing the stack's
 * events, upload the static assets, and print what the user must do next (DNS records) and
 * where the site is. `removeStack` is `--delete`: the stack goes, its data stays unless purged.
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb'
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3'
import { syncAssets } from './asset-sync'
import type { AssetFile } from './assets'
import { codeBucketName, contentKey, ensureCodeBucket, uploadOnce } from './code-bucket'
import type { DeployClients } from './deploy-clients'
import { DeployError, explainAwsError } from './deploy-error'
import type { DeployRequest } from './deploy-request'
import type { LambdaFunction } from './functions'
import { checkAccount } from './preflight'
import { sendMaximumConcurrency } from './send-concurrency'
import { checkStackCanChange, createChangeSet, deleteStack, describeChanges, discardChangeSet, executeChangeSet, findStack, outputsOf, stackParameters, waitForStack, type Waiting } from './stack'

export interface DeployArtifacts {
  /** Each function's zip (dist/aws/<name>.zip), by the template parameter naming its key. */
  zips: { fn: LambdaFunction; path: string }[]
  templatePath: string
  templateParameters: string[]
  /** The send function's Timeout and its mappings' BatchSize, from the template. */
  send: { timeoutSeconds: number; batchSize: number }
  assetsDir: string
  assets: AssetFile[]
}

export interface DeployUi {
  say: (line: string) => void
  /** Asks a yes/no question; undefined when there is nobody to ask (no terminal). */
  confirm?: (question: string) => Promise<boolean>
}

export interface DeployOptions {
  clients: DeployClients
  ui: DeployUi
  /** Between two looks at CloudFormation, ms (5 s against AWS). */
  pollMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => Date
}

/** The outputs printed after a deploy, in the order a user creates them, with what each is for. */
export const DNS_OUTPUTS = [
  ['MxRecord', 'MX (priority 10) of the mail domain: SES receives its mail'],
  ['DkimRecord1', 'DKIM CNAME: SES signs what it sends'],
  ['DkimRecord2', 'DKIM CNAME'],
  ['DkimRecord3', 'DKIM CNAME'],
  ['MailFromMxRecord', 'MX of the MAIL FROM domain: bounces come back'],
  ['MailFromSpfRecord', 'SPF TXT of the MAIL FROM domain'],
  ['DmarcRecord', 'DMARC TXT of the mail domain'],
] as const

/**
 * The stack's events of this operation are those from when it started; a margin allows for
 * this machine's clock being behind AWS's (an earlier operation's events are minutes older).
 */
const eventsFrom = (started: Date) => new Date(started.getTime() - 30_000)

async function ask(ui: DeployUi, question: string, yes: boolean) {
  if (yes) return true
  if (!ui.confirm) throw new DeployError('There is no terminal to ask for confirmation on: run again with --yes to apply without asking.')
  return ui.confirm(question)
}

/**
 * Deploys. `prepare` builds (or finds) what is uploaded; it runs once the account has been
 * checked, so a wrong region or missing credentials cost no build.
 */
export async function deployStack(request: DeployRequest, prepare: () => Promise<DeployArtifacts>, options: DeployOptions): Promise<{ outputs: Record<string, string>; status: string }> {
  const { clients, ui } = options
  const { stackName, region } = request
  const waiting: Waiting = { pollMs: options.pollMs ?? 5000, say: ui.say, sleep: options.sleep }
  const now = options.now ?? (() => new Date())

  const standing = await checkAccount(clients, region)
  ui.say(`account ${standing.account}, region ${region}, SES send rate ${standing.sendRate}/s${standing.sandbox ? ' (sandbox)' : ''}`)
  for (const notice of standing.notices) ui.say(`note: ${notice}`)

  const existing = await findStack(clients.cloudFormation, stackName)
  checkStackCanChange(existing)
  const artifacts = await prepare()
  const creating = !existing || existing.StackStatus === 'REVIEW_IN_PROGRESS'

  const bucket = codeBucketName(standing.account, region)
  await ensureCodeBucket(clients.s3, bucket, region, standing.account, ui.say)
  const keys: Record<string, string> = {}
  for (const { fn, path } of artifacts.zips) {
    const bytes = await readFile(path)
    const key = contentKey(stackName, fn.name, bytes, 'zip')
    const outcome = await uploadOnce(clients.s3, bucket, key, bytes, 'application/zip')
    ui.say(`  ${outcome === 'uploaded' ? 'uploaded' : 'unchanged'}  s3://${bucket}/${key}`)
    keys[fn.codeKey] = key
  }
  const template = await readFile(artifacts.templatePath)
  const templateKey = contentKey(stackName, 'template', template, 'yaml')
  await uploadOnce(clients.s3, bucket, templateKey, template, 'application/yaml')
  const templateUrl = `https://${bucket}.s3.${region}.amazonaws.com/${templateKey}`

  const sendRate = request.parameters.SendRate ?? String(standing.sendRate)
  const given: Record<string, string> = {
    ...(creating ? { Secret: randomBytes(32).toString('hex') } : {}),
    SendRate: sendRate,
    SendMaximumConcurrency: String(sendMaximumConcurrency({ sendRate: Number(sendRate), ...artifacts.send })),
    ...request.parameters,
    MailDomain: request.mailDomain!,
    CodeBucket: bucket,
    ...keys,
  }
  const parameters = stackParameters(given, creating ? undefined : existing, artifacts.templateParameters)

  const changeSetName = `deploy-${now().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`
  ui.say(`${creating ? 'creating' : 'updating'} the stack ${stackName}: working out the change set ${changeSetName}…`)
  const plan = await createChangeSet(clients.cloudFormation, { stackName, type: creating ? 'CREATE' : 'UPDATE', templateUrl, parameters, name: changeSetName }, waiting)

  let status = existing?.StackStatus ?? 'NONE'
  if (!plan) {
    ui.say('the stack is up to date: nothing to change')
  } else {
    ui.say(`${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'} (+ add, ~ modify, - remove):`)
    for (const line of describeChanges(plan.changes)) ui.say(line)
    if (!(await ask(ui, `Apply these changes to ${stackName} in ${region}?`, request.yes))) {
      await discardChangeSet(clients.cloudFormation, stackName, plan.name)
      // A stack created only to hold the change set has nothing in it: leave no trace.
      if (creating) await deleteStack(clients.cloudFormation, stackName)
      throw new DeployError('Nothing was changed: the change set was discarded as you asked.')
    }
    const started = now()
    await executeChangeSet(clients.cloudFormation, stackName, plan.name)
    const result = await waitForStack(clients.cloudFormation, stackName, eventsFrom(started), waiting)
    status = result.status
    if (status !== 'CREATE_COMPLETE' && status !== 'UPDATE_COMPLETE') {
      const cause = result.failures[0] ?? 'see the events above'
      const undo = creating ? 'remove it with npm run deploy -- --delete, fix the cause' : 'CloudFormation rolled it back to the previous version; fix the cause'
      throw new DeployError(`The stack did not deploy (${status}): ${cause.replace(/\.$/, '')}. ${undo[0]!.toUpperCase()}${undo.slice(1)} and run npm run deploy again.`)
    }
  }

  const stack = await findStack(clients.cloudFormation, stackName)
  const outputs = outputsOf(stack!)
  if (outputs.AssetsBucket) {
    const synced = await syncAssets(clients.s3, outputs.AssetsBucket, artifacts.assetsDir, artifacts.assets)
    ui.say(`assets: ${synced.uploaded} uploaded, ${synced.unchanged} unchanged (s3://${outputs.AssetsBucket})`)
  }

  ui.say('')
  ui.say(`DNS records to create for ${request.mailDomain} (as "name TYPE value"):`)
  for (const [name, purpose] of DNS_OUTPUTS) {
    const value = name === 'MxRecord' ? `${request.mailDomain} MX 10 ${outputs[name]}` : outputs[name]
    if (value) ui.say(`  ${value}\n      ${purpose}`)
  }
  if (outputs.DistributionDomainName && request.parameters.DomainName) {
    ui.say(`  ${request.parameters.DomainName} CNAME ${outputs.DistributionDomainName}\n      the site's own address`)
  }
  ui.say('')
  ui.say(`site: ${outputs.SiteUrl ?? outputs.DistributionUrl}`)
  ui.say(`invite ${outputs.CreateMailbox ?? `create@${request.mailDomain}`} to an event to create it; sign in at ${outputs.SiteUrl ?? outputs.DistributionUrl}/sign-in`)
  return { outputs, status }
}

/** Every object of a bucket, every version, removed (a bucket must be empty to be deleted). */
async function emptyBucket(s3: S3Client, bucket: string, prefix?: string) {
  let removed = 0
  let keyMarker: string | undefined
  let versionMarker: string | undefined
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }))
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((entry) => ({ Key: entry.Key!, VersionId: entry.VersionId }))
    if (objects.length) {
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }))
      removed += objects.length
    }
    if (!page.IsTruncated) return removed
    keyMarker = page.NextKeyMarker
    versionMarker = page.NextVersionIdMarker
  }
}

export async function removeStack(request: DeployRequest, options: DeployOptions): Promise<void> {
  const { clients, ui } = options
  const { stackName, region } = request
  const waiting: Waiting = { pollMs: options.pollMs ?? 5000, say: ui.say, sleep: options.sleep }
  const stack = await findStack(clients.cloudFormation, stackName)
  if (!stack) throw new DeployError(`There is no stack ${stackName} in ${region}: check --stack and --region.`)
  const outputs = outputsOf(stack)
  const kept = [outputs.TableName && `the table ${outputs.TableName}`, outputs.MailBucket && `the mail bucket ${outputs.MailBucket}`].filter(Boolean).join(' and ')
  const question = request.purge
    ? `Delete the stack ${stackName} in ${region} and everything it holds, ${kept} included?`
    : `Delete the stack ${stackName} in ${region}? ${kept ? `${kept[0]!.toUpperCase()}${kept.slice(1)} will be kept.` : ''}`
  if (!(await ask(ui, question.trim(), request.yes))) throw new DeployError('Nothing was deleted, as you asked.')

  const now = options.now ?? (() => new Date())
  try {
    // CloudFormation deletes only an empty bucket; the assets are the build's, rebuilt any time.
    if (outputs.AssetsBucket) ui.say(`emptying the assets bucket ${outputs.AssetsBucket}: ${await emptyBucket(clients.s3, outputs.AssetsBucket)} objects`)
  } catch (error) {
    throw explainAwsError(error, `empty the assets bucket ${outputs.AssetsBucket}`)
  }
  const started = now()
  await deleteStack(clients.cloudFormation, stackName)
  const result = await waitForStack(clients.cloudFormation, stackName, eventsFrom(started), waiting)
  if (result.status !== 'DELETE_COMPLETE') {
    throw new DeployError(`The stack was not deleted (${result.status}): ${(result.failures[0] ?? 'see the events above').replace(/\.$/, '')}. Fix that and run npm run deploy -- --delete again.`)
  }
  ui.say(`deleted the stack ${stackName}`)

  if (!request.purge) {
    if (kept) ui.say(`kept ${kept} (your events and mail): npm run deploy -- --delete --purge removes them; a new stack of this name needs the mail bucket gone first.`)
    return
  }
  try {
    if (outputs.MailBucket) {
      const removed = await emptyBucket(clients.s3, outputs.MailBucket)
      await clients.s3.send(new DeleteBucketCommand({ Bucket: outputs.MailBucket }))
      ui.say(`deleted the mail bucket ${outputs.MailBucket} (${removed} objects)`)
    }
    if (outputs.TableName) {
      await clients.dynamodb.send(new DeleteTableCommand({ TableName: outputs.TableName }))
      ui.say(`deleted the table ${outputs.TableName}`)
    }
    const standing = await checkAccount(clients, region)
    const code = codeBucketName(standing.account, region)
    ui.say(`removed ${await emptyBucket(clients.s3, code, `${stackName}/`)} deploy files of ${stackName} from s3://${code}`)
  } catch (error) {
    throw explainAwsError(error, 'remove what the stack kept')
  }
}
