import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import PostalMime from 'postal-mime'
import { SignInTokenEntity } from '../../server/aws/table'
import { endSession, redeemSignIn, requestSignIn, sessionEmail, startSession, SIGN_IN_LIMITS, SIGN_IN_SENT_MESSAGE } from '../../server/services/sign-in'
import { config } from '../../server/config'
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

  it('refuses an expired link, and a malformed or unknown one', async () => {
    // Written already expired: DynamoDB Local's TTL may remove it first; either way it signs nobody in.
    const { token } = await linkFor(someone('late'), someIp(), new Date(Date.now() - 16 * 60_000))
    expect(await redeemSignIn(token)).toMatchObject({ email: null, reason: expect.stringMatching(/^(expired|used-or-unknown)$/) })
    expect(await redeemSignIn(token)).toEqual({ email: null, reason: 'used-or-unknown' })
    const fresh = await linkFor(someone('clock'))
    expect(await redeemSignIn(fresh.token, { now: () => new Date(Date.now() + 16 * 60_000) })).toEqual({ email: null, reason: 'expired' })
    expect(await redeemSignIn('not-a-token')).toEqual({ email: null, reason: 'malformed' })
    expect(await redeemSignIn('A'.repeat(43))).toEqual({ email: null, reason: 'used-or-unknown' })
  })

  it('answers every valid address the same way (anyone may sign in) and rejects a bad one', async () => {
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

  it('limits requests per address and per IP in a window', async () => {
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
