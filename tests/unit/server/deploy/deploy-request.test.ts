import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { readTemplate } from '../../../../infra/cfn-yaml'
import { DeployHelp, readDeployRequest } from '../../../../server/deploy/deploy-request'
import { sendMaximumConcurrency } from '../../../../server/deploy/send-concurrency'
import { cacheControlFor, contentTypeFor } from '../../../../server/deploy/asset-sync'

const templateParameters = Object.keys(readTemplate(new URL('../../../../infra/template.yaml', import.meta.url)).Parameters ?? {})
const read = (argv: string[], configText?: string, env: NodeJS.ProcessEnv = {}) => readDeployRequest(argv, { configText, configFile: 'deploy.config.json', templateParameters, env })
const sentence = (argv: string[], configText?: string) => {
  try {
    read(argv, configText)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('no error')
}

describe('what npm run deploy is asked', () => {
  it('takes flags over deploy.config.json, and the region from AWS_REGION last', () => {
    const config = JSON.stringify({ stackName: 'events', region: 'eu-west-1', mailDomain: 'events.example.com', parameters: { OwnerEmails: 'me@example.com', DailyInviteLimit: 500 } })
    expect(read([], config)).toMatchObject({ action: 'deploy', stackName: 'events', region: 'eu-west-1', mailDomain: 'events.example.com', parameters: { OwnerEmails: 'me@example.com', DailyInviteLimit: '500' }, yes: false, build: true })
    expect(read(['--stack', 'other', '--region', 'us-east-1', '--parameter', 'OwnerEmails=you@example.com', '--yes', '--no-build'], config)).toMatchObject({ stackName: 'other', region: 'us-east-1', parameters: { OwnerEmails: 'you@example.com' }, yes: true, build: false })
    expect(read(['--mail-domain', 'events.example.com'], undefined, { AWS_REGION: 'eu-west-2' })).toMatchObject({ stackName: 'cis', region: 'eu-west-2' })
    expect(read(['--delete', '--purge', '--region', 'eu-west-1'])).toMatchObject({ action: 'delete', purge: true, mailDomain: undefined })
  })

  it.each([
    [['--mail-domain', 'events.example.com'], undefined, 'No region given: pass --region (e.g. --region eu-west-1), set "region" in deploy.config.json, or set AWS_REGION.'],
    [['--region', 'eu-west-1'], undefined, 'No mail domain given: pass --mail-domain (the domain of the create@, rsvp@ and bulk@ mailboxes, e.g. events.example.com) or set "mailDomain" in deploy.config.json.'],
    [['--region', 'eu-west-1', '--mail-domain', 'Events.Example.com'], undefined, 'The mail domain "Events.Example.com" is not a lower-case domain name such as events.example.com.'],
    [['--region', 'eu-west-1', '--stack', 'My_Stack'], undefined, 'The stack name "My_Stack" cannot be used: give --stack lower-case letters, digits and hyphens, starting with a letter, at most 30 characters (the mail bucket\'s name is built from it).'],
    [['--region', 'eu-west-1', '--purge'], undefined, '--purge only goes with --delete (npm run deploy -- --delete --purge).'],
    [['--region', 'eu-west-1', '--mail-domain', 'events.example.com', '--parameter', 'OwnerEmails'], undefined, '--parameter OwnerEmails is not Key=Value (e.g. --parameter OwnerEmails=me@example.com).'],
    [['--region', 'eu-west-1', '--mail-domain', 'events.example.com', '--parameter', 'CodeBucket=mine'], undefined, 'The parameter CodeBucket is set by the deploy command itself: leave it out.'],
    [['--region', 'eu-west-1'], '{"mailDomain": "events.example.com", "stack": "x"}', 'deploy.config.json is not a deploy configuration at its top level: Unrecognized key: "stack" (it takes stackName, region, mailDomain and parameters).'],
    [['--region', 'eu-west-1'], '{"mailDomain": ', 'deploy.config.json is not JSON'],
  ])('says what is wrong with %j (config %s) in one sentence', (argv, config, expected) => {
    expect(sentence(argv as string[], config)).toContain(expected)
  })

  it('names the parameters the template takes when one does not exist', () => {
    const message = sentence(['--region', 'eu-west-1', '--mail-domain', 'events.example.com', '--parameter', 'OwnerEmail=me@example.com'])
    expect(message).toMatch(/^The template has no parameter OwnerEmail: it takes Secret, .*OwnerEmails, .*OperatorEmail/)
    expect(message).not.toContain('CodeBucket')
  })

  it('answers --help with the usage and nothing else', () => {
    expect(() => read(['--help'])).toThrow(DeployHelp)
    expect(() => read(['--help'])).toThrow(/^Usage:\n {2}npm run deploy -- --stack NAME --region REGION --mail-domain DOMAIN/)
  })

  it('refuses an unknown flag with the usage', () => {
    expect(sentence(['--stak', 'x'])).toMatch(/Unknown option '--stak'[\s\S]*Usage:\n {2}npm run deploy -- --stack NAME/)
  })
})

describe('the send function concurrency worked out from the SES rate', () => {
  it.each([
    // rate, expected: Lambda's minimum until one instance's ~100 messages a second are not enough twice over
    [1, 2], [14, 2], [100, 2], [250, 6], [1000, 20], [10000, 200],
  ])('at %i messages a second: %i instances', (sendRate, expected) => {
    expect(sendMaximumConcurrency({ sendRate, timeoutSeconds: 60, batchSize: 10 })).toBe(expected)
  })

  it('never so many that queued instances would wait out half the timeout for their slots', () => {
    for (const sendRate of [1, 3, 14, 50, 500, 5000]) {
      const concurrency = sendMaximumConcurrency({ sendRate, timeoutSeconds: 60, batchSize: 10, sendCallMs: 5 })
      expect(concurrency === 2 || (concurrency * 10) / sendRate <= 30, `${sendRate}/s: ${concurrency}`).toBe(true)
    }
  })
})

describe('asset uploads', () => {
  it.each([
    ['/_nuxt/entry.Dk2x9QaB.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/_nuxt/entry.B1x.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/_nuxt/builds/latest.json', 'application/json', 'no-cache'],
    ['/_nuxt/builds/meta/3f2a.json', 'application/json', 'no-cache'],
    ['/favicon.ico', 'image/x-icon', 'public, max-age=3600'],
    ['/sample/invite.eml', 'message/rfc822', 'public, max-age=3600'],
    ['/data.unknownext', 'application/octet-stream', 'public, max-age=3600'],
  ])('%s: %s, %s', (urlPath, type, cache) => {
    expect(contentTypeFor(urlPath)).toBe(type)
    expect(cacheControlFor(urlPath)).toBe(cache)
  })
})

describe('npm run deploy as a command', () => {
  it('without credentials, ends with one sentence saying how to give them and exit 1', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'cis-no-aws-'))
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')))
    const cli = fileURLToPath(new URL('../../../../server/deploy/deploy-cli.ts', import.meta.url))
    const failure = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, '--region', 'eu-west-1', '--mail-domain', 'events.example.com', '--no-build'], {
      env: { ...env, HOME: home, AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'), AWS_EC2_METADATA_DISABLED: 'true' },
    }).then(() => undefined, (error: { code: number; stdout: string; stderr: string }) => error)
    expect(failure?.code).toBe(1)
    expect(failure?.stderr.trim()).toBe('deploy: No AWS credentials were found: run `aws configure` (or `aws sso login`), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run npm run deploy again.')
  }, 30_000)
})
