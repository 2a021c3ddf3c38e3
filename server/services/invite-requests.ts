/**
 * "Send me the invite" on an event's public page, with double opt-in so the form cannot be
 * used to mail strangers: the first request for an address mails it a short confirmation
 * (no calendar), whose link opens a page; only the POST of that page's button sends the
 * invitation and remembers the address as confirmed for the event's organizer, so its
 * later requests for that organizer's events are invited at once. Opening the link (mail
 * scanners do) changes nothing.
 *
 * Every accepted request gets the same answer, in the same time, whatever happens to the
 * address (confirmed, unknown, suppressed, unsubscribed, over its own limit): the request
 * only queues a job, and the send worker decides (decideInviteRequest). Nobody learns who
 * is on the list. Only limits that say nothing about an address answer 429: too many
 * requests from one client, or for one event. An address over its limit gets no more mail.
 */
import { randomBytes } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import { InviteConsentEntity, InviteRequestRateEntity, isConditionFailure } from '../aws/table'
import { config } from '../config'
import { isOver, readInviteRequest, signInviteRequest } from '../domain/invite/invite-request'
import { describeWhen, organizerName } from '../domain/invite/message-text'
import { INVITE_REQUEST_NOTICES, invitationOnItsWay, type InviteRequestLink, type InviteRequestOrigin } from '../../shared/schemas/invite-requests'
import type { StoredEvent } from './event-store'
import { inviteToEvent } from './invitations'
import { queueNotification } from './notifications'
import { enqueueSendJobs, type SendJob } from './send-jobs'
import { publicEventOf, storedEventOfPublicId } from './public-events'
import { takeRequest } from './request-windows'
import { countedAddress } from './sign-in'
import { suppressionOf } from './suppression'
import { logger } from '../log'

export const INVITE_REQUEST_LINK_DAYS = 3
export const INVITE_REQUEST_LIMITS = {
  /** Confirmation mails and invitations to one mailbox in a clock hour, and in a day (counted by the send worker). */
  perAddressPerHour: 3,
  perAddressPerDay: 6,
  /** Requests from one client in 15 minutes. */
  perClient: 20,
  /** Requests for one event in 15 minutes (a flood aimed at one page). */
  perEvent: 300,
} as const

/** The one answer to every accepted request. */
export const INVITE_REQUEST_MESSAGE = INVITE_REQUEST_NOTICES.accepted
export const INVITE_REQUEST_CLIENT_LIMITED = INVITE_REQUEST_NOTICES['client-limited']
export const INVITE_REQUEST_EVENT_LIMITED = INVITE_REQUEST_NOTICES['event-limited']

export type InviteRequestOutcome =
  | { outcome: 'accepted'; message: string }
  | { outcome: 'rate-limited'; message: string }
  | { outcome: 'unknown-event'; message: string }
  | { outcome: 'closed'; message: string }

const consents = InviteConsentEntity.build(EntityRepository)

/** Takes one request of `subject`'s window; false when the window is full. */
const takeInviteRequest = (subject: string, limit: number, now: Date, windowMinutes: number) =>
  takeRequest(InviteRequestRateEntity, subject, limit, now, windowMinutes)

/** Why no invitations are sent for this event any more, or null. */
function closedReason(event: StoredEvent, now: Date): string | null {
  if (event.state.status === 'CANCELLED') return 'This event is cancelled, so no invitations are sent for it.'
  if (isOver(event.state, now)) return 'This event is over, so no invitations are sent for it.'
  return null
}

export const inviteRequestToken = (email: string, publicId: string, origin: InviteRequestOrigin, expiresAt: Date) =>
  signInviteRequest(config().secret, { email, publicId, origin }, expiresAt)

export const readInviteRequestToken = (token: string, now: Date = new Date()) => readInviteRequest(config().secret, token, now)

async function isConfirmed(email: string, organizerEmail: string): Promise<boolean> {
  const { Item } = await consents.get({ email, organizerEmail }, { consistent: true })
  return Boolean(Item)
}

const invite = (event: StoredEvent, email: string, origin: InviteRequestOrigin) =>
  inviteToEvent({ eventUid: event.state.uid, email, origin, invitedBy: 'public' }, event)

/**
 * A visitor asks for the invitation of the event at `publicId` to be sent to `email`. Only
 * what says nothing about the address is decided while they wait (the event, the client's
 * and the event's limits); the rest is a send job (decideInviteRequest), so the answer and
 * the time it takes are the same for every address.
 */
export async function requestInvite(
  publicId: string,
  email: string,
  origin: InviteRequestOrigin,
  clientIp: string,
  options: { now?: () => Date; limits?: Partial<Record<'perClient' | 'perEvent', number>> } = {},
): Promise<InviteRequestOutcome> {
  const now = options.now?.() ?? new Date()
  const limits = { ...INVITE_REQUEST_LIMITS, ...options.limits }
  const event = await storedEventOfPublicId(publicId)
  if (!event) return { outcome: 'unknown-event', message: 'There is no event at this address.' }
  const closed = closedReason(event, now)
  if (closed) return { outcome: 'closed', message: closed }
  // The client first: one client cycling through addresses is stopped without counting against them.
  if (!(await takeInviteRequest(`client:${clientIp || 'unknown'}`, limits.perClient, now, 15))) {
    return { outcome: 'rate-limited', message: INVITE_REQUEST_CLIENT_LIMITED }
  }
  if (!(await takeInviteRequest(`event:${event.state.uid}`, limits.perEvent, now, 15))) {
    return { outcome: 'rate-limited', message: INVITE_REQUEST_EVENT_LIMITED }
  }
  const requestId = randomBytes(12).toString('base64url')
  await enqueueSendJobs([{ type: 'invite-request', requestId, publicId, email: email.trim().toLowerCase(), origin }])
  return { outcome: 'accepted', message: INVITE_REQUEST_MESSAGE }
}

type InviteRequestJob = Extract<SendJob, { type: 'invite-request' }>

/**
 * The send worker's part of a request: nothing for the server's own mailboxes, an address
 * over its limits or one that must not be mailed; the invitation for an address confirmed
 * for the organizer; else the confirmation mail (once per request, however often the job
 * is delivered).
 */
export async function decideInviteRequest(job: InviteRequestJob, at?: Date): Promise<{ outcome: 'queued' | 'skipped'; reason: string }> {
  const now = at ?? new Date()
  const address = job.email
  const event = await storedEventOfPublicId(job.publicId)
  if (!event) return { outcome: 'skipped', reason: 'The event of this request no longer exists.' }
  const closed = closedReason(event, now)
  if (closed) return { outcome: 'skipped', reason: closed }
  if (Object.values(config().mailboxes).includes(address)) return { outcome: 'skipped', reason: `${address} is one of this server's own mailboxes.` }
  // Many clients (a botnet) could each ask a few times: the mailbox still gets this much at most.
  const counted = countedAddress(address)
  const limits = INVITE_REQUEST_LIMITS
  if (!(await takeInviteRequest(`address-hour:${counted}`, limits.perAddressPerHour, now, 60)) || !(await takeInviteRequest(`address-day:${counted}`, limits.perAddressPerDay, now, 24 * 60))) {
    return { outcome: 'skipped', reason: `${address} asked too often; nothing more is mailed there for now.` }
  }
  // Blocked, unsubscribed, bounced or complaining: nothing at all, not even the confirmation.
  const suppressed = await suppressionOf(address)
  if (suppressed) return { outcome: 'skipped', reason: suppressed.sentence }

  if (await isConfirmed(address, event.state.organizer.email)) {
    const result = await invite(event, address, job.origin)
    return { outcome: 'queued', reason: `Confirmed for this organizer before: ${result.reason}` }
  }
  const expiresAt = new Date(now.getTime() + INVITE_REQUEST_LINK_DAYS * 86_400_000)
  const link = `${config().siteUrl}/invite-requests/${inviteRequestToken(address, job.publicId, job.origin, expiresAt)}`
  await queueNotification(`invite-request#${job.requestId}`, 'inviteRequestConfirmation', address, {
    summary: event.state.summary || '(no title)',
    when: describeWhen(event.state),
    organizerName: organizerName(event.state),
    email: address,
    link,
    days: String(INVITE_REQUEST_LINK_DAYS),
  })
  return { outcome: 'queued', reason: `The confirmation link to ${address} is queued.` }
}

/** What a confirmation link is for (its page shows it before the button); changes nothing. */
export async function inviteRequestLinkOf(token: string, now: Date = new Date()): Promise<InviteRequestLink | { expired: true } | null> {
  const link = readInviteRequestToken(token, now)
  if (!link.valid) return link.reason === 'expired' ? { expired: true } : null
  const event = await publicEventOf(link.publicId)
  return event ? { email: link.email, event } : null
}

export type ConfirmOutcome =
  | { outcome: 'sent'; message: string }
  | { outcome: 'invalid' | 'expired' | 'closed'; message: string }

/**
 * The confirmation page's button: the invitation is queued and the address remembered as
 * confirmed for the organizer. Pressing it again sends nothing more (inviteToEvent sends once).
 */
export async function confirmInviteRequest(token: string, clock: { now?: () => Date } = {}): Promise<ConfirmOutcome> {
  const now = clock.now?.() ?? new Date()
  const link = readInviteRequestToken(token, now)
  if (!link.valid) {
    return link.reason === 'expired'
      ? { outcome: 'expired', message: 'This link has expired; ask for the invitation again on the event’s page.' }
      : { outcome: 'invalid', message: 'This confirmation link is not valid.' }
  }
  const event = await storedEventOfPublicId(link.publicId)
  if (!event) return { outcome: 'invalid', message: 'This confirmation link is not valid.' }
  const closed = closedReason(event, now)
  if (closed) return { outcome: 'closed', message: closed }
  const sent = { outcome: 'sent' as const, message: invitationOnItsWay(link.email) }
  // Suppressed since the request (unsubscribed meanwhile): nothing, and nothing remembered.
  if (await suppressionOf(link.email)) return sent
  await consents
    .put(
      { email: link.email, organizerEmail: event.state.organizer.email, confirmedAt: now.toISOString(), eventUid: event.state.uid },
      { condition: { attr: 'email', exists: false } },
    )
    .catch((error: unknown) => {
      // Confirmed before (the button pressed twice, or another event's link): the first stays.
      if (!isConditionFailure(error)) throw error
    })
  const result = await invite(event, link.email, link.origin)
  logger.info('invite request: confirmed', { eventUid: event.state.uid, outcome: result.outcome })
  return sent
}
