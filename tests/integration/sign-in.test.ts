import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createApp, eventHandler, toNodeListener } from 'h3'
import { EntityRepository } from 'dynamodb-toolbox'
import PostalMime from 'postal-mime'
import { SignInTokenEntity } from '../../server/aws/table'
import { endSession, redeemSignIn, requestSignIn, sessionEmail, startSession, SIGN_IN_LIMITS, SIGN_IN_SENT_MESSAGE } from '../../server/services/sign-in'
import { config, resetConfig } from '../../server/config'
import signInRoute from '../../server/api/auth/sign-in.post'
import { createHash } from 'node:crypto'
import { block, recordSesNotification, unsubscribe } from '../../server/services/suppression'
import type { ParsedNotification } from '../../server/domain/mail/ses-notification'
import { rawSentMail, useFreshTable } from './support'

const someone = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`
const someIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`

/** Requests a link for `email` and returns the token from the mail the local SES received. */
async function linkFor(email: string, ip = someIp(), now?: Date): Promise<{ token: string; raw: string; text: string }> {
  const since = Date.now()
  expect(await requestSignIn(email, ip, now ? { now: () => now } : {})).toEqual({ outcome: 'sent', message: SIGN_IN_SENT_MESSAGE })
  const [mail] = await rawSentMail(since, email)
  expect(mail, `a sign-in mail to ${email}`).toBeDefined()
  const raw = mail!.raw.toString('utf8')
  const text = (await PostalMime.parse(mail!.raw)).text ?? ''
  const token = new RegExp(`^${config().siteUrl}/sign-in/verify\\?token=([A-Za-z0-9_-]{43})$`, 'm').exec(text)?.[1]
  expect(token, text).toBeDefined()
  return { token: token!, raw, text }
}

describe('passwordless sign-in (server/services/sign-in.ts)', () => {
  beforeAll(async () => {
    await useFreshTable()
  })

  it('mails a link to the address, stores only the hash of its token, and signs in once', async () => {
    const email = someone('Olga')
    const { token, raw, text } = await linkFor(email.toUpperCase())
    expect(raw).toMatch(/^Subject: Your sign-in link/m)
    expect(raw).toMatch(/^Auto-Submitted: auto-generated/m)
    expect(raw).toContain(`To: ${email.toLowerCase()}`)
    expect(text).toMatch(/works once, within 15 minutes/)
    const tokens = SignInTokenEntity.build(EntityRepository)
    expect((await tokens.get({ tokenHash: token })).Item).toBeUndefined()
    const { Item } = await tokens.get({ tokenHash: createHash('sha256').update(token).digest('hex') })
    expect(Item).toMatchObject({ email: email.toLowerCase() })
    expect(Item!.expiresAt - Date.now() / 1000).toBeGreaterThan(14 * 60)

    expect(await redeemSignIn(token)).toEqual({ email: email.toLowerCase() })
    expect(await redeemSignIn(token)).toEqual({ email: null, reason: 'used-or-unknown' })
  })

  it('refuses an expired link, and a malformed or unknown one', { tags: ['security'] }, async () => {
    // Written already expired: DynamoDB Local's TTL may remove it first; either way it signs nobody in.
    const { token } = await linkFor(someone('late'), someIp(), new Date(Date.now() - 16 * 60_000))
    expect(await redeemSignIn(token)).toMatchObject({ email: null, reason: expect.stringMatching(/^(expired|used-or-unknown)$/) })
    expect(await redeemSignIn(token)).toEqual({ email: null, reason: 'used-or-unknown' })
    const fresh = await linkFor(someone('clock'))
    expect(await redeemSignIn(fresh.token, { now: () => new Date(Date.now() + 16 * 60_000) })).toEqual({ email: null, reason: 'expired' })
    expect(await redeemSignIn('not-a-token')).toEqual({ email: null, reason: 'malformed' })
    expect(await redeemSignIn('A'.repeat(43))).toEqual({ email: null, reason: 'used-or-unknown' })
  })

  it('answers every valid address the same way (anyone may sign in) and rejects a bad one', { tags: ['security'] }, async () => {
    const unknown = await requestSignIn(someone('nobody'), someIp())
    const organizer = await requestSignIn(someone('organizer'), someIp())
    expect(unknown).toEqual(organizer)
    expect(await requestSignIn('not an address', someIp())).toMatchObject({ outcome: 'invalid' })
  })

  it('mails nobody whose address bounced, complained or was blocked, answering the same; unsubscribing does not stop sign-in', async () => {
    const [bounced, complained, blocked, unsubscribed] = ['bounced', 'complained', 'blocked', 'unsubscribed'].map(someone) as [string, string, string, string]
    await recordSesNotification({ kind: 'bounce', permanent: true, at: new Date().toISOString(), recipients: [{ email: bounced, detail: '550 5.1.1 user unknown' }], type: 'Bounce', description: 'bounced' } satisfies ParsedNotification)
    await recordSesNotification({ kind: 'complaint', permanent: true, at: new Date().toISOString(), recipients: [{ email: complained, detail: 'abuse' }], type: 'Complaint', description: 'complained' } satisfies ParsedNotification)
    await block(blocked)
    await unsubscribe(unsubscribed)
    const since = Date.now()
    for (const email of [bounced, complained, blocked]) {
      expect(await requestSignIn(email, someIp())).toEqual({ outcome: 'sent', message: SIGN_IN_SENT_MESSAGE })
    }
    await linkFor(unsubscribed)
    expect((await rawSentMail(since)).flatMap((mail) => mail.to)).toEqual([unsubscribed])
  })

  it('limits requests per address and per IP in a window', { tags: ['security'] }, async () => {
    const email = someone('eager')
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) expect((await requestSignIn(email, someIp())).outcome).toBe('sent')
    expect(await requestSignIn(email, someIp())).toMatchObject({ outcome: 'rate-limited', message: expect.stringMatching(/wait 15 minutes/) })
    // The next window starts afresh.
    expect((await requestSignIn(email, someIp(), { now: () => new Date(Date.now() + SIGN_IN_LIMITS.windowMinutes * 60_000) })).outcome).toBe('sent')

    const ip = someIp()
    for (let i = 0; i < SIGN_IN_LIMITS.perIp; i++) expect((await requestSignIn(someone('cycler'), ip)).outcome).toBe('sent')
    expect((await requestSignIn(someone('cycler'), ip)).outcome).toBe('rate-limited')
    expect((await requestSignIn(someone('cycler'), someIp())).outcome).toBe('sent')
  })

  it('keeps sessions in the table for 7 days, until signed out', async () => {
    const { sessionId } = await startSession('Olga@Example.org')
    expect(await sessionEmail(sessionId)).toBe('olga@example.org')
    expect(await sessionEmail(sessionId, { now: () => new Date(Date.now() + 8 * 86_400_000) })).toBeNull()
    await endSession(sessionId)
    expect(await sessionEmail(sessionId)).toBeNull()
    expect(await sessionEmail('forged')).toBeNull()
  })
})

/**
 * The sign-in route on a local HTTP server. `lambda` stands in for the API Gateway event
 * Nitro's aws-lambda entry hands on (server/plugins/lambda-event.ts): its sourceIp is what
 * API Gateway saw; without it, the socket's peer is.
 */
async function serveSignIn(lambda?: () => { sourceIp: string }) {
  const app = createApp()
  if (lambda) app.use(eventHandler((event) => void (event.context.awsLambda = { event: { requestContext: { http: lambda() } }, context: {} })))
  app.use('/api/auth/sign-in', signInRoute)
  const server = createServer(toNodeListener(app))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/sign-in`
  const post = async (email: string, forwardedFor: string) =>
    (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ email }) })).status
  return { post, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Statuses of `n` requests from one client that writes a new X-Forwarded-For each time. */
async function forgedRequests(post: (email: string, forwardedFor: string) => Promise<number>, n: number, forwarded = (forged: string) => forged) {
  const statuses: number[] = []
  for (let i = 0; i < n; i++) statuses.push(await post(someone('forger'), forwarded(`${someIp()}, ${someIp()}`)))
  return statuses
}
const expected = (n: number) => [...Array(SIGN_IN_LIMITS.perIp).fill(202), ...Array(n - SIGN_IN_LIMITS.perIp).fill(429)]

describe('sign-in limits a client cannot reset (POST /api/auth/sign-in)', { tags: ['security'] }, () => {
  beforeAll(async () => {
    await useFreshTable()
  })
  afterEach(() => {
    delete process.env.CIS_TRUSTED_PROXIES
    resetConfig()
  })

  it('counts 30 requests with varied X-Forwarded-For from one socket as one client (run locally)', async () => {
    const { post, close } = await serveSignIn()
    try {
      expect(await forgedRequests(post, 30)).toEqual(expected(30))
    } finally {
      await close()
    }
  })

  it("counts them by API Gateway's sourceIp on Lambda, whatever X-Forwarded-For says", async () => {
    const { post, close } = await serveSignIn(() => ({ sourceIp: '198.51.100.7' }))
    try {
      expect(await forgedRequests(post, 30)).toEqual(expected(30))
    } finally {
      await close()
    }
  })

  it('behind CloudFront (CIS_TRUSTED_PROXIES=1), by the hop CloudFront added, from any edge', async () => {
    process.env.CIS_TRUSTED_PROXIES = '1'
    resetConfig()
    // CloudFront appends the viewer's address to what the client sent; API Gateway sees one of many edges.
    const { post, close } = await serveSignIn(() => ({ sourceIp: someIp() }))
    try {
      expect(await forgedRequests(post, 30, (forged) => `${forged}, 203.0.113.9`)).toEqual(expected(30))
      // Another viewer behind the same edges is counted apart.
      expect(await post(someone('neighbour'), '203.0.113.10')).toBe(202)
    } finally {
      await close()
    }
  })

  it('counts plus-tag and case variations of one address as that address', async () => {
    const statuses: string[] = []
    for (let i = 1; i <= 10; i++) statuses.push((await requestSignIn(`Victim+${i}@Flooded.example`, someIp())).outcome)
    expect(statuses).toEqual([...Array(SIGN_IN_LIMITS.perAddress).fill('sent'), ...Array(10 - SIGN_IN_LIMITS.perAddress).fill('rate-limited')])
    expect((await requestSignIn('victim@flooded.example', someIp())).outcome).toBe('rate-limited')
    // The link still goes to the address asked for.
    const since = Date.now()
    await linkFor('tagged+news@other.example')
    expect((await rawSentMail(since)).flatMap((mail) => mail.to)).toEqual(['tagged+news@other.example'])
  })

  it('caps sign-in links per address per hour across windows and IPs', async () => {
    const email = someone('hourly')
    const hour = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000)
    const at = (minutes: number) => ({ now: () => new Date(hour.getTime() + minutes * 60_000) })
    const outcomes: string[] = []
    for (const minutes of [0, 15, 30]) {
      for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) outcomes.push((await requestSignIn(email, someIp(), at(minutes))).outcome)
    }
    expect(outcomes.filter((outcome) => outcome === 'sent')).toHaveLength(SIGN_IN_LIMITS.perAddressPerHour)
    expect(outcomes.slice(SIGN_IN_LIMITS.perAddressPerHour).every((outcome) => outcome === 'rate-limited')).toBe(true)
    expect(await requestSignIn(email, someIp(), at(45))).toMatchObject({ outcome: 'rate-limited', message: expect.stringMatching(/this hour/) })
    expect((await requestSignIn(email, someIp(), at(60))).outcome).toBe('sent')
  })
})
