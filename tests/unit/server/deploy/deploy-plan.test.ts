/**
 * `npm run deploy`'s plan, run for real (the AWS SDK over HTTP) against recorded AWS answers
 * (tests/support/aws-replay.ts): what it uploads, which calls it makes in which order with
 * which parameters, what it asks and prints, and the sentence it ends with when AWS says no.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readTemplate } from '../../../../infra/cfn-yaml'
import { listAssets } from '../../../../server/deploy/assets'
import { deployClients } from '../../../../server/deploy/deploy-clients'
import { DeployError } from '../../../../server/deploy/deploy-error'
import { readDeployRequest } from '../../../../server/deploy/deploy-request'
import { deployStack, removeStack, type DeployArtifacts } from '../../../../server/deploy/deploy'
import { lambdaFunctions } from '../../../../server/deploy/functions'
import { startAwsReplay, type ReplayScript } from '../../../support/aws-replay'

const templatePath = fileURLToPath(new URL('../../../../infra/template.yaml', import.meta.url))
const assetsDir = fileURLToPath(new URL('../../../fixtures/deploy-assets/', import.meta.url))
const templateParameters = Object.keys(readTemplate(templatePath).Parameters ?? {})
const ACCOUNT = '123456789012'
const CODE_BUCKET = `cis-deploy-${ACCOUNT}-eu-west-1`
const NOW = new Date('2026-12-01T12:00:00.000Z')

const xml = (fixture: string, status = 200) => ({ fixture: `${fixture}.xml`, status })
const json = (fixture: string, status = 200) => ({ fixture: `${fixture}.json`, status })
const empty = (status = 200) => ({ status, body: '' })

let replay: Awaited<ReturnType<typeof startAwsReplay>> | undefined
afterEach(async () => {
  await replay?.close()
  replay = undefined
})

/** Three function zips of random bytes (what is uploaded must be exactly these) and the fixture assets. */
async function artifacts(): Promise<DeployArtifacts> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cis-deploy-'))
  const zips = []
  for (const fn of lambdaFunctions) {
    const file = path.join(dir, `${fn.name}.zip`)
    await writeFile(file, randomBytes(2048))
    zips.push({ fn, path: file })
  }
  return { zips, templatePath, templateParameters, send: { timeoutSeconds: 60, batchSize: 10 }, assetsDir, assets: await listAssets(assetsDir) }
}

function request(argv: string[]) {
  return readDeployRequest(['--stack', 'demo', '--region', 'eu-west-1', ...argv], { templateParameters, env: {} })
}

async function run(script: ReplayScript, argv: string[], confirm?: (question: string) => Promise<boolean>) {
  replay = await startAwsReplay(script)
  const said: string[] = []
  const asked: string[] = []
  const clients = deployClients('eu-west-1', { url: replay.url, credentials: { accessKeyId: 'AKIDREPLAY', secretAccessKey: 'replay' } })
  const options = {
    clients,
    ui: { say: (line: string) => said.push(line), ...(confirm ? { confirm: (question: string) => (asked.push(question), confirm(question)) } : {}) },
    pollMs: 0,
    now: () => NOW,
  }
  const built = await artifacts()
  const parsed = request(argv)
  const outcome = parsed.action === 'delete' ? removeStack(parsed, options) : deployStack(parsed, async () => built, options)
  const error = await outcome.then(() => undefined, (failure: unknown) => failure)
  return { said, asked, built, error: error as Error | undefined, calls: replay.calls, operations: replay.operations() }
}

const FIRST_DEPLOY: ReplayScript = {
  GetCallerIdentity: xml('sts-GetCallerIdentity'),
  GetAccount: json('sesv2-GetAccount.sandbox'),
  DescribeStacks: [xml('cloudformation-DescribeStacks.missing', 400), xml('cloudformation-DescribeStacks.creating'), xml('cloudformation-DescribeStacks.created')],
  HeadBucket: empty(404),
  CreateBucket: { status: 200, body: '', headers: { location: `http://${CODE_BUCKET}.s3.amazonaws.com/` } },
  PutPublicAccessBlock: empty(),
  HeadObject: empty(404),
  PutObject: (call) => ({ status: 200, body: '', headers: { etag: `"${createHash('md5').update(call.body).digest('hex')}"` } }),
  CreateChangeSet: xml('cloudformation-CreateChangeSet'),
  DescribeChangeSet: [xml('cloudformation-DescribeChangeSet.pending'), xml('cloudformation-DescribeChangeSet.create')],
  ExecuteChangeSet: xml('cloudformation-ExecuteChangeSet'),
  DescribeStackEvents: xml('cloudformation-DescribeStackEvents.created'),
  ListObjectsV2: xml('s3-ListObjectsV2.empty'),
}

describe('npm run deploy, first deploy of a stack', () => {
  it('checks the account, makes the code bucket, uploads each zip and the template once, shows the change set, asks, creates the stack and syncs the assets', async () => {
    const { said, asked, built, error, calls, operations } = await run(FIRST_DEPLOY, ['--mail-domain', 'events.example.com'], async () => true)
    expect(error).toBeUndefined()
    const zipKeys = built.zips.map(({ fn }) => calls.find((call) => call.operation === 'PutObject' && call.key?.startsWith(`demo/${fn.name}-`))?.key)
    expect(operations).toEqual([
      'sts:GetCallerIdentity', 'sesv2:GetAccount', 'cloudformation:DescribeStacks',
      's3:HeadBucket', 's3:CreateBucket', 's3:PutPublicAccessBlock',
      's3:HeadObject', 's3:PutObject', 's3:HeadObject', 's3:PutObject', 's3:HeadObject', 's3:PutObject', // three zips
      's3:HeadObject', 's3:PutObject', // the template
      'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:DescribeChangeSet',
      'cloudformation:ExecuteChangeSet',
      'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents',
      'cloudformation:DescribeStacks', 's3:ListObjectsV2', 's3:PutObject', 's3:PutObject', 's3:PutObject', // three assets
    ])

    // The code bucket: in the stack's region, private.
    const created = calls.find((call) => call.operation === 'CreateBucket')!
    expect(created.bucket).toBe(CODE_BUCKET)
    expect(created.body.toString()).toContain('<LocationConstraint>eu-west-1</LocationConstraint>')
    expect(calls.find((call) => call.operation === 'PutPublicAccessBlock')!.body.toString()).toMatch(/<BlockPublicAcls>true<\/BlockPublicAcls>.*<RestrictPublicBuckets>true<\/RestrictPublicBuckets>/s)

    // Each zip uploaded byte for byte, under a key naming its content.
    for (const [index, { fn, path: file }] of built.zips.entries()) {
      const bytes = await readFile(file)
      const upload = calls.find((call) => call.operation === 'PutObject' && call.key === zipKeys[index])!
      expect(upload.bucket).toBe(CODE_BUCKET)
      expect(upload.key).toBe(`demo/${fn.name}-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.zip`)
      expect(upload.body.equals(bytes)).toBe(true)
    }
    const templateUpload = calls.find((call) => call.operation === 'PutObject' && call.key?.startsWith('demo/template-'))!
    expect(templateUpload.body.equals(await readFile(templatePath))).toBe(true)

    // The change set: a CREATE from the uploaded template, the command's own parameters and a new secret.
    const changeSet = calls.find((call) => call.operation === 'CreateChangeSet')!.params
    expect(changeSet).toMatchObject({ StackName: 'demo', ChangeSetType: 'CREATE', 'Capabilities.member.1': 'CAPABILITY_IAM', TemplateURL: `https://${CODE_BUCKET}.s3.eu-west-1.amazonaws.com/${templateUpload.key}` })
    expect(changeSet.ChangeSetName).toBe('deploy-20261201120000')
    const parameters = parametersOf(changeSet)
    expect(parameters).toMatchObject({
      MailDomain: 'events.example.com', CodeBucket: CODE_BUCKET,
      WebCodeKey: zipKeys[0], InboundCodeKey: zipKeys[1], SendCodeKey: zipKeys[2],
      // The sandbox account's SES rate (1/s), and the send concurrency worked out from it.
      SendRate: '1', SendMaximumConcurrency: '2',
    })
    expect(parameters.Secret).toMatch(/^[0-9a-f]{64}$/)
    for (const name of Object.keys(parameters)) expect(templateParameters).toContain(name)

    // Shown, asked, and only then executed.
    expect(said).toContain('3 changes (+ add, ~ modify, - remove):')
    expect(said.some((line) => /\+ WebFunction\s+AWS::Lambda::Function$/.test(line))).toBe(true)
    expect(asked).toEqual(['Apply these changes to demo in eu-west-1?'])
    expect(said.some((line) => line.startsWith('note: SES is in the sandbox in eu-west-1'))).toBe(true)
    // The stack's events of this deploy, oldest first; not the earlier ones.
    const eventLines = said.filter((line) => /^ {2}\d\d:\d\d:\d\d {2}/.test(line))
    expect(eventLines.map((line) => line.trim().split(/\s+/).slice(1, 3).join(' '))).toEqual(['Table CREATE_IN_PROGRESS', 'Table CREATE_COMPLETE', 'WebFunction CREATE_COMPLETE', 'demo CREATE_COMPLETE'])

    // Assets: every file at its path, with the caching CloudFront passes on.
    const assetUploads = calls.filter((call) => call.operation === 'PutObject' && call.bucket === 'demo-assetsbucket-1a2b3c4d5e6f')
    expect(Object.fromEntries(assetUploads.map((call) => [call.key, [call.headers['content-type'], call.headers['cache-control']]]))).toEqual({
      '_nuxt/builds/latest.json': ['application/json', 'no-cache'],
      '_nuxt/entry.Dk2x9QaB.js': ['text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      'robots.txt': ['text/plain; charset=utf-8', 'public, max-age=3600'],
    })
    for (const upload of assetUploads) expect(upload.body.equals(await readFile(path.join(assetsDir, upload.key!)))).toBe(true)

    // What to do next: every DNS record, and the site.
    const text = said.join('\n')
    expect(text).toContain('events.example.com MX 10 inbound-smtp.eu-west-1.amazonaws.com')
    for (const record of ['abc1._domainkey.events.example.com CNAME abc1.dkim.amazonses.com', 'abc3._domainkey.events.example.com CNAME abc3.dkim.amazonses.com', 'bounce.events.example.com MX 10 feedback-smtp.eu-west-1.amazonses.com', 'bounce.events.example.com TXT "v=spf1 include:amazonses.com ~all"', '_dmarc.events.example.com TXT "v=DMARC1; p=quarantine"']) {
      expect(text).toContain(record)
    }
    expect(said).toContain('site: https://d111111abcdef8.cloudfront.net')
  })

  it('asks before changing anything, and a "no" discards the change set and the empty stack', async () => {
    const script = { ...FIRST_DEPLOY, DeleteChangeSet: xml('cloudformation-DeleteChangeSet'), DeleteStack: xml('cloudformation-DeleteStack') }
    const { error, operations, asked } = await run(script, ['--mail-domain', 'events.example.com'], async () => false)
    expect(error).toBeInstanceOf(DeployError)
    expect(error!.message).toBe('Nothing was changed: the change set was discarded as you asked.')
    expect(asked).toHaveLength(1)
    expect(operations).not.toContain('cloudformation:ExecuteChangeSet')
    expect(operations.slice(-2)).toEqual(['cloudformation:DeleteChangeSet', 'cloudformation:DeleteStack'])
  })

  it('without a terminal to ask on, wants --yes; with --yes it asks nothing', async () => {
    const unasked = await run(FIRST_DEPLOY, ['--mail-domain', 'events.example.com'])
    expect(unasked.error?.message).toBe('There is no terminal to ask for confirmation on: run again with --yes to apply without asking.')
    expect(unasked.operations).not.toContain('cloudformation:ExecuteChangeSet')
    const told = await run(FIRST_DEPLOY, ['--mail-domain', 'events.example.com', '--yes'])
    expect(told.error).toBeUndefined()
    expect(told.asked).toEqual([])
    expect(told.operations).toContain('cloudformation:ExecuteChangeSet')
  })
})

/** CloudFormation's query form of Parameters: Parameters.member.N.ParameterKey / ParameterValue / UsePreviousValue. */
function parametersOf(form: Record<string, string>) {
  const parameters: Record<string, string> = {}
  for (let n = 1; form[`Parameters.member.${n}.ParameterKey`]; n++) {
    const key = form[`Parameters.member.${n}.ParameterKey`]!
    parameters[key] = form[`Parameters.member.${n}.UsePreviousValue`] === 'true' ? '(previous)' : form[`Parameters.member.${n}.ParameterValue`]!
  }
  return parameters
}

const UPDATE: ReplayScript = {
  GetCallerIdentity: xml('sts-GetCallerIdentity'),
  GetAccount: json('sesv2-GetAccount.production'),
  DescribeStacks: xml('cloudformation-DescribeStacks.updated'),
  HeadBucket: empty(200),
  HeadObject: empty(200),
  CreateChangeSet: xml('cloudformation-CreateChangeSet'),
  DescribeChangeSet: xml('cloudformation-DescribeChangeSet.no-changes'),
  DeleteChangeSet: xml('cloudformation-DeleteChangeSet'),
  ListObjectsV2: xml('s3-ListObjectsV2.unchanged'),
}

describe('npm run deploy, again', () => {
  it('uploads nothing already there, keeps the secret and every parameter not given, and says when nothing changed', async () => {
    const { error, operations, calls, said } = await run(UPDATE, ['--mail-domain', 'events.example.com', '--parameter', 'DailyInviteLimit=500'])
    expect(error).toBeUndefined()
    expect(operations.filter((op) => op === 's3:PutObject')).toEqual([])
    expect(operations).not.toContain('s3:CreateBucket')
    expect(operations).not.toContain('cloudformation:ExecuteChangeSet')
    expect(operations).toContain('cloudformation:DeleteChangeSet')
    const parameters = parametersOf(calls.find((call) => call.operation === 'CreateChangeSet')!.params)
    expect(calls.find((call) => call.operation === 'CreateChangeSet')!.params.ChangeSetType).toBe('UPDATE')
    // The secret stays; OwnerEmails (not given) stays; a parameter the template dropped is not sent.
    expect(parameters).toMatchObject({ Secret: '(previous)', OwnerEmails: '(previous)', DailyInviteLimit: '500', SendRate: '14', SendMaximumConcurrency: '2' })
    expect(parameters).not.toHaveProperty('RetiredParameter')
    expect(said).toContain('the stack is up to date: nothing to change')
    expect(said).toContain('assets: 0 uploaded, 3 unchanged (s3://demo-assetsbucket-1a2b3c4d5e6f)')
  })

  it('ends a failed update with the failing resource and its reason, and says the stack was rolled back', async () => {
    const { error, said } = await run({
      ...UPDATE,
      DescribeStacks: [xml('cloudformation-DescribeStacks.updated'), xml('cloudformation-DescribeStacks.updating'), xml('cloudformation-DescribeStacks.rolled-back')],
      DescribeChangeSet: xml('cloudformation-DescribeChangeSet.update'),
      ExecuteChangeSet: xml('cloudformation-ExecuteChangeSet'),
      DescribeStackEvents: xml('cloudformation-DescribeStackEvents.rolled-back'),
    }, ['--mail-domain', 'events.example.com', '--yes'])
    expect(said.some((line) => /~ SendEventSource\s+AWS::Lambda::EventSourceMapping {2}\(may be replaced\)$/.test(line))).toBe(true)
    expect(error).toBeInstanceOf(DeployError)
    expect(error!.message).toBe(
      'The stack did not deploy (UPDATE_ROLLBACK_COMPLETE): WebFunction: Resource handler returned message: "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (Service: Lambda, Status Code: 400)". CloudFormation rolled it back to the previous version; fix the cause and run npm run deploy again.',
    )
  })

  it('passes on why CloudFormation refused a change set, and what to do', async () => {
    const { error } = await run({ ...UPDATE, DescribeChangeSet: xml('cloudformation-DescribeChangeSet.refused') }, ['--mail-domain', 'events.example.com'])
    expect(error!.message).toBe("CloudFormation refused the change set: Parameter 'CertificateArn' must be an ACM certificate in us-east-1. Fix that (a parameter or the template) and run npm run deploy again.")
  })

  it('refuses to update a stack whose creation failed, saying to delete it first', async () => {
    const { error, operations } = await run({ ...UPDATE, DescribeStacks: xml('cloudformation-DescribeStacks.create-failed') }, ['--mail-domain', 'events.example.com'])
    expect(error!.message).toBe('The stack demo failed to be created and cannot be updated (ROLLBACK_COMPLETE): remove it with npm run deploy -- --delete, then deploy again.')
    expect(operations).toEqual(['sts:GetCallerIdentity', 'sesv2:GetAccount', 'cloudformation:DescribeStacks'])
  })
})

describe('npm run deploy, account problems', () => {
  it('says expired credentials in one sentence, before building or uploading anything', async () => {
    const { error, operations } = await run({ GetCallerIdentity: xml('sts-ExpiredToken', 403) }, ['--mail-domain', 'events.example.com'])
    expect(error!.message).toBe('Your AWS credentials have expired: sign in again (`aws sso login`, or new access keys), then run npm run deploy again.')
    expect(operations).toEqual(['sts:GetCallerIdentity'])
  })

  it('refuses a region where SES receives no mail without calling AWS', async () => {
    replay = await startAwsReplay({})
    const clients = deployClients('us-west-1', { url: replay.url, credentials: { accessKeyId: 'AKIDREPLAY', secretAccessKey: 'replay' } })
    const parsed = readDeployRequest(['--region', 'us-west-1', '--mail-domain', 'events.example.com'], { templateParameters, env: {} })
    let built = false
    const failure = await deployStack(parsed, async () => ((built = true), artifacts()), { clients, ui: { say: () => {} }, pollMs: 0 }).catch((error: Error) => error)
    expect((failure as Error).message).toMatch(/^SES does not receive email in us-west-1: deploy with --region set to one of us-east-1, .* and ap-northeast-1\.$/)
    expect(replay.calls).toEqual([])
    expect(built).toBe(false)
  })

  it('names the permission an identity lacks', async () => {
    const { error } = await run({ ...FIRST_DEPLOY, CreateBucket: xml('s3-AccessDenied', 403) }, ['--mail-domain', 'events.example.com', '--yes'])
    expect(error!.message).toBe(`Your AWS identity may not make the code bucket ${CODE_BUCKET} (Access Denied): deploy as an administrator of the account, or grant that permission, then run npm run deploy again.`)
  })
})

const DELETE: ReplayScript = {
  GetCallerIdentity: xml('sts-GetCallerIdentity'),
  GetAccount: json('sesv2-GetAccount.production'),
  DescribeStacks: [xml('cloudformation-DescribeStacks.updated'), xml('cloudformation-DescribeStacks.deleting'), xml('cloudformation-DescribeStacks.missing', 400)],
  ListObjectVersions: (call) => (call.bucket === 'demo-assetsbucket-1a2b3c4d5e6f' ? xml('s3-ListObjectVersions.assets') : xml('s3-ListObjectVersions.empty')),
  DeleteObjects: xml('s3-DeleteObjects'),
  DeleteStack: xml('cloudformation-DeleteStack'),
  DescribeStackEvents: xml('cloudformation-DescribeStackEvents.deleting'),
  DeleteBucket: empty(204),
  DeleteTable: json('dynamodb-DeleteTable'),
}

describe('npm run deploy -- --delete', () => {
  it('empties the assets bucket, deletes the stack and keeps the table and the mail bucket', async () => {
    const { error, operations, calls, said, asked } = await run(DELETE, ['--delete'], async () => true)
    expect(error).toBeUndefined()
    expect(asked).toEqual(['Delete the stack demo in eu-west-1? The table demo-Table-ABCDEF123456 and the mail bucket demo-mail-123456789012-eu-west-1 will be kept.'])
    expect(operations).toEqual([
      'cloudformation:DescribeStacks', 's3:ListObjectVersions', 's3:DeleteObjects', 'cloudformation:DeleteStack',
      'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks',
    ])
    const deleted = calls.find((call) => call.operation === 'DeleteObjects')!
    expect(deleted.bucket).toBe('demo-assetsbucket-1a2b3c4d5e6f')
    expect(deleted.body.toString()).toContain('<Key>robots.txt</Key>')
    expect(said.at(-1)).toBe('kept the table demo-Table-ABCDEF123456 and the mail bucket demo-mail-123456789012-eu-west-1 (your events and mail): npm run deploy -- --delete --purge removes them; a new stack of this name needs the mail bucket gone first.')
  })

  it('with --purge removes the mail bucket, the table and the stack\'s deploy files too', async () => {
    const { error, operations, calls } = await run(DELETE, ['--delete', '--purge', '--yes'])
    expect(error).toBeUndefined()
    expect(operations.slice(7)).toEqual(['s3:ListObjectVersions', 's3:DeleteBucket', 'dynamodb:DeleteTable', 'sts:GetCallerIdentity', 'sesv2:GetAccount', 's3:ListObjectVersions'])
    expect(calls.find((call) => call.operation === 'DeleteBucket')!.bucket).toBe('demo-mail-123456789012-eu-west-1')
    expect(calls.find((call) => call.operation === 'DeleteTable')!.params).toEqual({ TableName: 'demo-Table-ABCDEF123456' })
    const codeFiles = calls.filter((call) => call.operation === 'ListObjectVersions').at(-1)!
    expect([codeFiles.bucket, codeFiles.params.prefix]).toEqual([CODE_BUCKET, 'demo/'])
  })

  it('says when there is no such stack', async () => {
    const { error } = await run({ DescribeStacks: xml('cloudformation-DescribeStacks.missing', 400) }, ['--delete', '--yes'])
    expect(error!.message).toBe('There is no stack demo in eu-west-1: check --stack and --region.')
  })
})
