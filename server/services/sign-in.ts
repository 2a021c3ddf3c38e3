/**
 * Passwordless sign-in for the dashboard: a person asks for a link, the server mails a
 * random token (only its SHA-256 is stored, for 15 minutes), and opening the link once
 * signs them in. Anyone may sign in: an address that organizes nothing sees an empty
 * dashboard, so the answer never says whether an address is known. Requests are limited
 * per IP and per address in fixed windows counted in the table; the IP is the one the
 * platform saw (server/utils/client-address.ts), and an address counts without case or
 * `+tag`, so neither can be varied to start a fresh count.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { DeleteItemCommand, EntityRepository } from 'dynamodb-toolbox'
import MailComposer from 'nodemailer/lib/mail-composer'
import { DEFAULT_AFTER_SIGN_IN, SIGN_IN_NOTICES, SignInBodySchema, afterSignIn } from '../../shared/schemas/auth'
import { SessionEntity, SignInRateEntity, SignInTokenEntity, isConditionFailure } from '../aws/table'
import { sendRawMailWithinRate } from '../aws/mailer'
import { renderMailTemplate } from '../templates/mail'
import { useMailTemplates } from '../templates/in-use'
import { config } from '../config'
import { shortLived } from './short-lived'
import { suppressionOf } from './suppression'
import { takeRequest } from './request-windows'

export const SIGN_IN_TOKEN_MINUTES = 15
export const SESSION_DAYS = 7
export const SIGN_IN_LIMITS = {
  windowMinutes: 15,
  perAddress: 5,
  perIp: 20,
  /** Links to one address in a clock hour, whichever IPs asked. */
  perAddressPerHour: 10,
} as const


/** The one answer to every accepted request, known address or not. */
export const SIGN_IN_SENT_MESSAGE = SIGN_IN_NOTICES.sent
export const SIGN_IN_LIMITED_MESSAGE = SIGN_IN_NOTICES.limited
export const SIGN_IN_HOURLY_LIMITED_MESSAGE = SIGN_IN_NOTICES['hourly-limited']

export type SignInRequestOutcome =
  | { outcome: 'sent'; message: string }
  | { outcome: 'rate-limited'; message: string }
  | { outcome: 'invalid'; message: string }

export type RedeemResult = { email: string } | { email: null; reason: 'malformed' | 'expired' | 'used-or-unknown' }

interface Clock {
  now?: () => Date
}

const tokens = SignInTokenEntity.build(EntityRepository)
const sessions = SessionEntity.build(EntityRepository)

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex')
const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000)

/** One mailbox however it is spelled for counting: lower case, without a `+tag` (`Ann+news@X.org` → `ann@x.org`). */
export function countedAddress(email: string): string {
  const address = email.trim().toLowerCase()
  const at = address.lastIndexOf('@')
  const local = address.slice(0, at).replace(/\+.*$/, '')
  return local ? `${local}${address.slice(at)}` : address
}

/** Takes one request of `subject`'s sign-in window; false when the window is full. */
const takeSignIn = (subject: string, limit: number, now: Date, windowMinutes: number = SIGN_IN_LIMITS.windowMinutes) =>
  takeRequest(SignInRateEntity, subject, limit, now, windowMinutes)

async function composeLink(to: string, link: string): Promise<Buffer> {
  const { subject, text } = renderMailTemplate('signInLink', { link, minutes: String(SIGN_IN_TOKEN_MINUTES), siteUrl: config().siteUrl }, await useMailTemplates())
  const mail = new MailComposer({ from: config().fromAddress, to, subject, text, headers: { 'Auto-Submitted': 'auto-generated' } })
  return await new Promise<Buffer>((resolve, reject) => mail.compile().build((error, message) => (error ? reject(error) : resolve(message))))
}

/** The link in the sign-in mail; it carries the page asked for, unless that is the dashboard anyway. */
export function signInLink(token: string, next: string = DEFAULT_AFTER_SIGN_IN): string {
  const page = afterSignIn(next)
  const query = new URLSearchParams({ token, ...(page === DEFAULT_AFTER_SIGN_IN ? {} : { next: page }) })
  return `${config().siteUrl}/sign-in/verify?${query}`
}

/**
 * Mails a single-use sign-in link to `email` unless a limit is reached; opening it leads to
 * `next` (a path on this site; anything else leads to the dashboard). Sent directly
 * (within the shared SES rate), not through the send queue: the person is waiting.
 */
export async function requestSignIn(email: string, requesterIp: string, clock: Clock = {}, next?: string): Promise<SignInRequestOutcome> {
  const parsed = SignInBodySchema.safeParse({ email: email.trim() })
  if (!parsed.success) return { outcome: 'invalid', message: SIGN_IN_NOTICES.invalid }
  const address = parsed.data.email.toLowerCase()
  const counted = countedAddress(address)
  const now = clock.now?.() ?? new Date()
  // The IP first: one client cycling through addresses is stopped without counting against them.
  if (!(await takeSignIn(`ip:${requesterIp || 'unknown'}`, SIGN_IN_LIMITS.perIp, now))) return { outcome: 'rate-limited', message: SIGN_IN_LIMITED_MESSAGE }
  if (!(await takeSignIn(`email:${counted}`, SIGN_IN_LIMITS.perAddress, now))) return { outcome: 'rate-limited', message: SIGN_IN_LIMITED_MESSAGE }
  // Many IPs (a botnet) could each ask a few times: the mailbox still gets this many an hour at most.
  if (!(await takeSignIn(`email-hour:${counted}`, SIGN_IN_LIMITS.perAddressPerHour, now, 60))) return { outcome: 'rate-limited', message: SIGN_IN_HOURLY_LIMITED_MESSAGE }

  // No mail to an address that bounced, complained or was blocked: it would hurt the SES
  // sender reputation and reach nobody (or nobody who wants it). The answer stays the same,
  // so it tells nobody which addresses are suppressed. Unsubscribing is from invitations, so
  // a person who unsubscribed can still sign in.
  const suppressed = await suppressionOf(address)
  if (suppressed && suppressed.reason !== 'unsubscribed') return { outcome: 'sent', message: SIGN_IN_SENT_MESSAGE }

  const token = randomBytes(32).toString('base64url')
  await tokens.put(
    { tokenHash: hashOf(token), email: address, expiresAt: epochSeconds(now) + SIGN_IN_TOKEN_MINUTES * 60 },
    { condition: { attr: 'tokenHash', exists: false } },
  )
  await sendRawMailWithinRate({ from: config().fromAddress, to: [address], raw: await composeLink(address, signInLink(token, next)) })
  return { outcome: 'sent', message: SIGN_IN_SENT_MESSAGE }
}

/** Uses a sign-in token: the address it was sent to, once, before it expires; else null and why. */
export async function redeemSignIn(token: string, clock: Clock = {}): Promise<RedeemResult> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { email: null, reason: 'malformed' }
  const now = epochSeconds(clock.now?.() ?? new Date())
  try {
    const { Attributes } = await SignInTokenEntity.build(DeleteItemCommand)
      .key({ tokenHash: hashOf(token) })
      .options({ condition: { and: [{ attr: 'tokenHash', exists: true }, { attr: 'expiresAt', gt: now }] }, returnValues: 'ALL_OLD' })
      .send()
    return Attributes ? { email: Attributes.email } : { email: null, reason: 'used-or-unknown' }
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
  // TTL deletes lazily: an expired token may still be there; it is of no use, so remove it.
  const { Item } = await tokens.get({ tokenHash: hashOf(token) })
  if (!Item) return { email: null, reason: 'used-or-unknown' }
  await tokens.delete({ tokenHash: hashOf(token) })
  return { email: null, reason: 'expired' }
}

/**
 * A signed-in session, kept in the table as well as sealed in the cookie, so signing out
 * (or removing the item) ends it even where a copy of the cookie survives.
 */
export async function startSession(email: string, clock: Clock = {}): Promise<{ sessionId: string }> {
  const sessionId = randomBytes(24).toString('base64url')
  const expiresAt = epochSeconds(clock.now?.() ?? new Date()) + SESSION_DAYS * 86_400
  await sessions.put({ id: sessionId, email: email.toLowerCase(), expiresAt }, { condition: { attr: 'id', exists: false } })
  return { sessionId }
}

// Open sessions only, by id; forgotten when the session ends here.
const recentSessions = shortLived<{ email: string; expiresAt: number }>()

/** The address of a session that is still open, or null. */
export async function sessionEmail(sessionId: string, clock: Clock = {}): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(sessionId)) return null
  let session = recentSessions.get(sessionId)
  if (!session) {
    const { Item } = await sessions.get({ id: sessionId })
    if (!Item) return null
    session = { email: Item.email, expiresAt: Item.expiresAt }
  }
  if (session.expiresAt <= epochSeconds(clock.now?.() ?? new Date())) return null
  recentSessions.set(sessionId, session)
  return session.email
}

export async function endSession(sessionId: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(sessionId)) return
  await sessions.delete({ id: sessionId })
  // After the delete: a request reading in between must not leave the ended session remembered.
  recentSessions.forget(sessionId)
}

/**
 * The sealed session cookie's settings (nuxt-auth-utils / h3 sessions). The password is
 * derived from CIS_SECRET at run time, so there is one secret and none is baked into a build.
 */
export function sessionSettings() {
  const { secret, siteUrl } = config()
  return {
    /** nuxt-auth-utils' cookie name, so its own session routes and composable read the same cookie. */
    name: 'nuxt-session',
    password: createHmac('sha256', secret).update('cis session cookie v1').digest('hex'),
    maxAge: SESSION_DAYS * 86_400,
    cookie: { httpOnly: true, sameSite: 'lax' as const, secure: siteUrl.startsWith('https://'), path: '/' },
  }
}
