import { describe, it, expect } from 'vitest'
import { readConfig, LOCAL_PORTS } from '../../../server/config'

describe('readConfig', () => {
  it('points at the local stack by default', () => {
    const cfg = readConfig({})
    expect(cfg.stack).toBe('local')
    expect(cfg.endpoints.dynamodb).toBe(`http://127.0.0.1:${LOCAL_PORTS.dynamodb}`)
    expect(cfg.mailboxes).toEqual({
      create: 'create@events.localhost',
      rsvp: 'rsvp@events.localhost',
      bulk: 'bulk@events.localhost',
    })
  })

  it('assumes no local endpoints on Lambda', () => {
    const cfg = readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'cis-inbound', AWS_REGION: 'eu-west-1', CIS_SECRET: 'x'.repeat(32) })
    expect(cfg.stack).toBe('aws')
    expect(cfg.region).toBe('eu-west-1')
    expect(cfg.endpoints).toEqual({ dynamodb: undefined, s3: undefined, sqs: undefined, ses: undefined })
  })

  it('reads lists and flags', () => {
    const cfg = readConfig({
      CIS_ALLOWED_ORGANIZER_DOMAINS: ' Example.com, other.org ,',
      CIS_REQUIRE_VERIFIED_SENDER: 'false',
      CIS_MAIL_DOMAIN: 'Events.Example.COM',
    })
    expect(cfg.allowedOrganizerDomains).toEqual(['example.com', 'other.org'])
    expect(cfg.requireVerifiedSender).toBe(false)
    expect(cfg.mailboxes.create).toBe('create@events.example.com')
  })

  it('needs a signing secret outside the local stack, and a long one', () => {
    expect(() => readConfig({ CIS_STACK: 'aws' })).toThrow(/^Configuration error: CIS_SECRET is required/)
    expect(() => readConfig({ CIS_STACK: 'aws', CIS_SECRET: 'short' })).toThrow(/CIS_SECRET must be at least 32 characters/)
    expect(readConfig({}).secret.length).toBeGreaterThanOrEqual(32)
  })

  it("reads where the deployer's mail templates are: a folder or a prefix of the mail bucket, not both, never a mailbox's", () => {
    expect(readConfig({})).toMatchObject({ templatesDir: null, templatesS3Prefix: null })
    expect(readConfig({ CIS_TEMPLATES_DIR: '/opt/templates' }).templatesDir).toBe('/opt/templates')
    expect(readConfig({ CIS_TEMPLATES_S3_PREFIX: 'config/templates/' }).templatesS3Prefix).toBe('config/templates/')
    // The template's default for the parameter: unset.
    expect(readConfig({ CIS_TEMPLATES_S3_PREFIX: '' }).templatesS3Prefix).toBeNull()
    expect(() => readConfig({ CIS_TEMPLATES_S3_PREFIX: 'templates' })).toThrow('Configuration error: CIS_TEMPLATES_S3_PREFIX must be a key prefix ending with / (such as templates/).')
    expect(() => readConfig({ CIS_TEMPLATES_S3_PREFIX: '/templates/' })).toThrow(/CIS_TEMPLATES_S3_PREFIX must be a key prefix/)
    // Anyone who mails the server adds objects under its mailboxes' prefixes.
    expect(() => readConfig({ CIS_TEMPLATES_S3_PREFIX: 'rsvp/templates/' })).toThrow('Configuration error: CIS_TEMPLATES_S3_PREFIX must not be under rsvp/, where received mail is stored.')
    expect(() => readConfig({ CIS_TEMPLATES_DIR: '/opt/templates', CIS_TEMPLATES_S3_PREFIX: 'templates/' })).toThrow('Configuration error: set CIS_TEMPLATES_DIR or CIS_TEMPLATES_S3_PREFIX, not both.')
  })

  it('reads the send rate and attempts as numbers', () => {
    const cfg = readConfig({ CIS_SEND_RATE: '50', CIS_SEND_MAX_ATTEMPTS: '4' })
    expect([cfg.sendRate, cfg.sendMaxAttempts]).toEqual([50, 4])
    expect(() => readConfig({ CIS_SEND_RATE: '0' })).toThrow(/^Configuration error: CIS_SEND_RATE/)
  })

  it('rejects a malformed endpoint with one sentence', () => {
    expect(() => readConfig({ CIS_S3_ENDPOINT: 'not a url' })).toThrow(/^Configuration error: CIS_S3_ENDPOINT .*\.$/)
  })
})

describe('readConfig with moved local ports', () => {
  it('follows CIS_PORT_* for the local endpoints and the site address', () => {
    const cfg = readConfig({ CIS_PORT_DYNAMODB: '5510', CIS_PORT_APP: '3100' })
    expect(cfg.endpoints.dynamodb).toBe('http://127.0.0.1:5510')
    expect(cfg.siteUrl).toBe('http://localhost:3100')
  })
})
