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
    const cfg = readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'cis-inbound', AWS_REGION: 'eu-west-1' })
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
