/**
 * Runs send jobs (send-jobs.ts): brings one person up to date with an event (invitation,
 * update or cancellation), fans a change out to everyone this server has sent the event to,
 * or sends a notification about an inbound message.
 *
 * Exactly once: when the shared rate gives the message its slot, just before SES is called,
 * a send record keyed by (event, person, SEQUENCE) — or by the REFRESH or inbound message —
 * is written conditionally. A second delivery of the job, or a job for the same change
 * queued twice, finds the record and sends nothing. If a worker dies between claiming and
 * marking the record sent, nobody can know whether SES took the message: after the claim's
 * lease the record becomes `unknown` and is not sent again (the organizer sees it and may
 * send again).
 */
import { EntityRepository, QueryCommand, $remove } from 'dynamodb-toolbox'
import { AttendeeEntity, InvitationEntity, SendRecordEntity, isConditionFailure, keys, keysStartingWith, table } from '../aws/table'
import { sendRawMailWithinRate } from '../aws/mailer'
import { config } from '../config'
import { composeInvitationMessage } from '../domain/invite/compose-message'
import { classifySesError } from '../aws/ses-retry'
import type { SendRateLimiter } from '../aws/send-rate'
import { invitationOutcomeChanged, countInviteSent, loadEvent } from './event-store'
import { loadInvitation, unsubscribeUrl } from './invitations'
import { webAnswerUrls } from './web-answer-links'
import { decodeCursor, encodeCursor } from './cursors'
import { suppressionOf } from './suppression'
import { composeNotification } from './notifications'
import { useMailTemplates } from '../templates/in-use'
import { composeReportMail } from './reports'
import { enqueueSendJobs, type SendJob } from './send-jobs'
import { decideInviteRequest } from './invite-requests'
import { countListOutcome, runListJob, type ListOutcomeFigure } from './invitation-lists'
import { deliverListReport } from './list-report'

const invitations = InvitationEntity.build(EntityRepository)
const sendRecords = SendRecordEntity.build(EntityRepository)
const attendees = AttendeeEntity.build(EntityRepository)

export interface SendContext {
  /** This delivery of the queue message (1 on the first). */
  attempt: number
  /** Deliveries before the queue moves the message to its dead-letter queue. */
  maxAttempts: number
  limiter: SendRateLimiter
  /**
   * How long a claim may stay unconfirmed before its worker is presumed dead. Longer than
   * the send function's timeout: a redelivered job sees its dead predecessor's claim.
   */
  claimLeaseMs?: number
  /** Invitations read per fan-out job: a bounded amount of work per queue message. */
  fanOutPage?: number
  /** How long a list job works before it queues its continuation, and the rows it handles between progress updates. */
  listBudgetMs?: number
  listChunkRows?: number
  now?: () => Date
}

/** `queued`: the job's work was to decide, and what it decided is queued as a job of its own. */
export type SendOutcome = 'sent' | 'up-to-date' | 'skipped' | 'unknown' | 'failed' | 'fanned-out' | 'queued'

export interface SendResult {
  outcome: SendOutcome
  reason: string
  /** The id SES gave the message, when this run sent it. */
  sesMessageId?: string
}

/** Someone else holds (or held) the send record of this message. */
class ClaimTaken extends Error {}

/** The job cannot finish now; the queue delivers it again later (and finally to its DLQ). */
export class RetryLater extends Error {
  constructor(
    reason: string,
    /** SES refused for its rate or daily quota: nothing is wrong with the message, so it is never given up. */
    readonly rateLimited = false,
  ) {
    super(reason)
    this.name = 'RetryLater'
  }
}

const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000
const FAN_OUT_PAGE = 500

export async function runSendJob(job: SendJob, context: SendContext): Promise<SendResult> {
  switch (job.type) {
    case 'deliver':
      return countedInList(job.eventUid, job.email, context, () => deliverCurrentVersion(job.eventUid, job.email, context))
    case 'refresh':
      return deliverCurrentVersion(job.eventUid, job.email, context, job.requestKey)
    case 'resend':
      return deliverCurrentVersion(job.eventUid, job.email, context, job.requestKey, { showOnInvitation: true })
    case 'cancel-attendee':
      return deliverRemoval(job, context)
    case 'notify':
      return deliverNotification(job, context)
    case 'report':
      return deliverReport(job, context)
    case 'fan-out':
      return fanOut(job.eventUid, job.cursor, context.fanOutPage ?? FAN_OUT_PAGE)
    case 'invite-request':
      return decideInviteRequest(job, context.now?.())
    case 'list':
      return runListJob(job.listId, job.pass, { budgetMs: context.listBudgetMs, chunkRows: context.listChunkRows })
    case 'list-report':
      return deliverListReport(job, context)
  }
}

/** What an invitation's outcome counts as in the figures of the list that queued it. */
const LIST_FIGURES: Partial<Record<SendOutcome, ListOutcomeFigure>> = { sent: 'sent', 'up-to-date': 'sent', failed: 'failed', unknown: 'failed', skipped: 'skipped' }

/**
 * A delivery, counted (once) in its invitation list's figures when it settles: sent, failed
 * for good (also when the last retry throws) or skipped. Retries to come count nothing.
 */
async function countedInList(eventUid: string, email: string, context: SendContext, deliver: () => Promise<SendResult>): Promise<SendResult> {
  let result: SendResult
  try {
    result = await deliver()
  } catch (error) {
    if (error instanceof RetryLater && !error.rateLimited && context.attempt >= context.maxAttempts) await countListOutcome(eventUid, email, 'failed')
    throw error
  }
  const figure = LIST_FIGURES[result.outcome]
  if (figure) await countListOutcome(eventUid, email, figure)
  return result
}

/**
 * One page of the people this server has sent the event to, each queued to receive the
 * current version; the next page is a job of its own, so any number of attendees works.
 */
async function fanOut(eventUid: string, cursor: string | undefined, pageSize: number): Promise<SendResult> {
  const page = await table
    .build(QueryCommand)
    .entities(InvitationEntity)
    .query({ partition: keys.event(eventUid), range: keysStartingWith(keys.invitation.prefix) })
    .options({ limit: pageSize, exclusiveStartKey: decodeCursor(cursor) })
    .send()
  const due = (page.Items ?? []).filter((item) => item.sentSequence !== undefined && item.status !== 'unsubscribed' && item.status !== 'suppressed')
  const next = encodeCursor(page.LastEvaluatedKey)
  await enqueueSendJobs([
    ...due.map((item) => ({ type: 'deliver' as const, eventUid, email: item.email })),
    ...(next ? [{ type: 'fan-out' as const, eventUid, cursor: next }] : []),
  ])
  return { outcome: 'fanned-out', reason: `Queued ${due.length} people for the current version${next ? '; more follow' : ''}.` }
}

/**
 * The current version to one person unless they have it; with `refreshKey`, again whatever
 * they have (once per key): an attendee's REFRESH, or the organizer's resend, whose outcome
 * the invitation shows (`showOnInvitation`).
 */
async function deliverCurrentVersion(eventUid: string, email: string, context: SendContext, refreshKey?: string, again: { showOnInvitation?: boolean } = {}): Promise<SendResult> {
  const now = context.now ?? (() => new Date())
  const [event, invitation] = await Promise.all([loadEvent(eventUid), loadInvitation(eventUid, email)])
  if (!event) return { outcome: 'skipped', reason: `The event ${eventUid} no longer exists.` }
  // A REFRESH may come from someone the organizer invited directly: they get it too.
  const recipientName = invitation ? invitation.name : ((await attendees.get({ eventUid, email })).Item?.name ?? null)
  if (!invitation && !refreshKey) return { outcome: 'skipped', reason: `${email} has no invitation to this event.` }

  const suppressed = await suppressionOf(email)
  if (suppressed) {
    if (invitation) {
      await invitations.update({ eventUid, email, status: suppressed.reason === 'unsubscribed' ? 'unsubscribed' : 'suppressed', error: suppressed.sentence })
    }
    return { outcome: 'skipped', reason: suppressed.sentence }
  }

  const method = event.state.status === 'CANCELLED' ? 'CANCEL' : 'REQUEST'
  const sequence = event.inviteSequence
  if (!refreshKey && invitation) {
    if (method === 'CANCEL' && invitation.sentSequence === null) {
      const reason = 'Not sent: the event was cancelled before the invitation went out.'
      await invitations.update({ eventUid, email, status: 'failed', error: reason })
      return { outcome: 'skipped', reason }
    }
    if (invitation.sentSequence !== null && invitation.sentSequence >= sequence && invitation.sentMethod === method) {
      return { outcome: 'up-to-date', reason: `${email} already has this version.` }
    }
  }
  if (refreshKey && method === 'CANCEL') return { outcome: 'skipped', reason: 'The event is cancelled; nothing to refresh.' }

  const key = refreshKey ? `${eventUid}#${email}#refresh#${refreshKey}` : `${eventUid}#${email}#${sequence}`
  const raw = await composeInvitationMessage({
    event: event.state,
    recipient: { email, name: recipientName },
    method,
    sequence,
    update: invitation?.sentSequence != null,
    organizerMailbox: config().mailboxes.rsvp,
    unsubscribeUrl: unsubscribeUrl(email, eventUid),
    answerUrls: webAnswerUrls(email, eventUid),
    templates: await useMailTemplates(),
    now: now(),
  })
  return sendOnce({
    key,
    record: { eventUid, email, sequence, method },
    mail: { from: config().mailboxes.rsvp, to: [email], raw },
    invitation: invitation && (!refreshKey || again.showOnInvitation) ? { eventUid, email, sequence, method, first: invitation.sentSequence === null } : null,
    sent: `Sent ${method === 'CANCEL' ? 'the cancellation' : `version ${sequence}`} to ${email}.`,
    context,
  })
}

/**
 * A CANCEL to someone the organizer removed from the event (services/attendee-tools.ts): the
 * event as it is, naming them as its ATTENDEE, at the SEQUENCE the removal raised, so their
 * calendar takes it as newer than what it holds; sent once, unless they are suppressed.
 */
async function deliverRemoval(job: Extract<SendJob, { type: 'cancel-attendee' }>, context: SendContext): Promise<SendResult> {
  const now = context.now ?? (() => new Date())
  const event = await loadEvent(job.eventUid)
  if (!event) return { outcome: 'skipped', reason: `The event ${job.eventUid} no longer exists.` }
  const suppressed = await suppressionOf(job.email)
  if (suppressed) return { outcome: 'skipped', reason: suppressed.sentence }
  const raw = await composeInvitationMessage({
    event: event.state,
    recipient: { email: job.email, name: job.name },
    method: 'CANCEL',
    sequence: job.sequence,
    update: true,
    organizerMailbox: config().mailboxes.rsvp,
    unsubscribeUrl: unsubscribeUrl(job.email, job.eventUid),
    templates: await useMailTemplates(),
    now: now(),
  })
  return sendOnce({
    key: `${job.eventUid}#${job.email}#removed#${job.sequence}`,
    record: { eventUid: job.eventUid, email: job.email, sequence: job.sequence, method: 'CANCEL' },
    mail: { from: config().mailboxes.rsvp, to: [job.email], raw },
    invitation: null,
    sent: `Sent ${job.email} the cancellation of their place.`,
    context,
  })
}

/** A notification to a person about their own message, once per inbound message and template. */
async function deliverNotification(job: Extract<SendJob, { type: 'notify' }>, context: SendContext): Promise<SendResult> {
  const raw = await composeNotification(job.template, job.to, job.values, job.inReplyTo)
  return sendOnce({
    key: `notify#${job.template}#${job.key}`,
    record: { email: job.to },
    mail: { from: config().fromAddress, to: [job.to], raw },
    invitation: null,
    sent: `Sent the ${job.template} notification to ${job.to}.`,
    context,
  })
}

/** An attendee report by email, once per request. */
async function deliverReport(job: Extract<SendJob, { type: 'report' }>, context: SendContext): Promise<SendResult> {
  const raw = await composeReportMail(job.eventUid, job.to, config().fromAddress)
  if (!raw) return { outcome: 'skipped', reason: `The event ${job.eventUid} no longer exists.` }
  return sendOnce({
    key: `report#${job.eventUid}#${job.requestId}`,
    record: { email: job.to },
    mail: { from: config().fromAddress, to: [job.to], raw },
    invitation: null,
    sent: `Sent the attendee report of ${job.eventUid} to ${job.to}.`,
    context,
  })
}

interface InvitationRef {
  eventUid: string
  email: string
  sequence: number
  method: 'REQUEST' | 'CANCEL'
  /** Nothing was sent to this person for this event before. */
  first: boolean
}

/**
 * Sends one message at most once: the send record `key` is claimed once the rate slot is
 * ours, just before SES is called, so a worker that dies while waiting for its slot leaves
 * nothing in doubt: only a send that was really under way can end up "unknown". The
 * invitation (when there is one) shows the outcome.
 */
export async function sendOnce(args: {
  key: string
  record: { eventUid?: string; email: string; sequence?: number; method?: 'REQUEST' | 'CANCEL' }
  mail: { from: string; to: string[]; raw: Buffer }
  invitation: InvitationRef | null
  sent: string
  context: SendContext
}): Promise<SendResult> {
  const { key, context, invitation } = args
  const now = context.now ?? (() => new Date())
  let claimedAt = ''
  let existing: SendRecordItem | null = null
  const claim = async () => {
    claimedAt = now().toISOString()
    const result = await claimSend(key, { ...args.record, claimedAt })
    if (result !== 'claimed') {
      existing = result
      throw new ClaimTaken()
    }
  }
  let sesMessageId: string
  try {
    const { raw } = args.mail
    sesMessageId = await sendRawMailWithinRate({ ...args.mail, raw: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) }, context.limiter, claim)
  } catch (error) {
    if (error instanceof ClaimTaken) return settleExistingClaim(existing!, key, args.record.email, invitation, context)
    if (!claimedAt) throw error
    return await recordSendFailure(error, { key, claimedAt, invitation }, context)
  }
  const sentAt = now().toISOString()
  await sendRecords.update({ key, status: 'sent', sentAt, sesMessageId })
  if (invitation) {
    await markInvitationSent(invitation, sentAt)
    if (invitation.first) await countInviteSent(invitation.eventUid)
  }
  return { outcome: 'sent', reason: args.sent, sesMessageId }
}

type SendRecordItem = NonNullable<Awaited<ReturnType<typeof sendRecords.get>>['Item']>

async function claimSend(
  key: string,
  record: { eventUid?: string; email: string; sequence?: number; method?: 'REQUEST' | 'CANCEL'; claimedAt: string },
): Promise<'claimed' | SendRecordItem> {
  try {
    await sendRecords.put({ key, ...record, status: 'claimed' }, { condition: { attr: 'key', exists: false } })
    return 'claimed'
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    const { Item } = await sendRecords.get({ key }, { consistent: true })
    if (!Item) throw new RetryLater('The send record vanished while it was being claimed.')
    return Item
  }
}

/** Someone claimed this message before: it was sent, failed for good, or is in doubt. */
async function settleExistingClaim(
  existing: SendRecordItem,
  key: string,
  email: string,
  invitation: InvitationRef | null,
  context: SendContext,
): Promise<SendResult> {
  const now = context.now ?? (() => new Date())
  if (existing.status === 'sent') {
    // The worker that sent it may have stopped before updating the invitation.
    if (invitation) await markInvitationSent(invitation, existing.sentAt ?? existing.claimedAt)
    return { outcome: 'up-to-date', reason: `${email} was already sent this message.` }
  }
  if (existing.status === 'failed' || existing.status === 'unknown') {
    return { outcome: 'skipped', reason: existing.error ?? 'An earlier attempt at this message did not succeed.' }
  }
  const age = now().getTime() - Date.parse(existing.claimedAt)
  if (age < (context.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS)) {
    throw new RetryLater('Another worker is sending this message right now.')
  }
  const reason =
    'The server stopped while sending this message, so it may or may not have arrived; it is not sent twice. Send the invitation again if the attendee did not get it.'
  try {
    await sendRecords.update({ key, status: 'unknown', error: reason }, { condition: { attr: 'claimedAt', eq: existing.claimedAt } })
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    throw new RetryLater('The send record changed while its stale claim was being settled.')
  }
  if (invitation) await invitations.update({ eventUid: invitation.eventUid, email: invitation.email, status: 'unknown', error: reason })
  return { outcome: 'unknown', reason }
}

async function markInvitationSent({ eventUid, email, sequence, method }: InvitationRef, sentAt: string) {
  try {
    // Never step back: a slower worker that sent an older version must not overwrite a newer one.
    await invitations.update(
      { eventUid, email, status: 'sent', sentSequence: sequence, sentMethod: method, sentAt, error: $remove() },
      { condition: { and: [{ attr: 'email', exists: true }, { or: [{ attr: 'sentSequence', exists: false }, { attr: 'sentSequence', lte: sequence }] }] } },
    )
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
}

/**
 * A send failed. Retryable errors release the claim and come back through the queue with
 * backoff, the organizer seeing the reason meanwhile; on the last attempt, or for an error
 * SES will repeat (a rejected address), the failure is final and recorded.
 */
async function recordSendFailure(
  error: unknown,
  about: { key: string; claimedAt: string; invitation: InvitationRef | null },
  context: SendContext,
): Promise<SendResult> {
  const { retryable, sentence, kind } = classifySesError(error)
  const { key, invitation } = about
  const rateLimited = kind === 'throttled' || kind === 'daily-quota'
  if (retryable && (context.attempt < context.maxAttempts || rateLimited)) {
    await sendRecords.delete({ key }, { condition: { attr: 'claimedAt', eq: about.claimedAt } }).catch(() => undefined)
    if (invitation) {
      const note = rateLimited ? 'waiting for SES' : `attempt ${context.attempt} of ${context.maxAttempts}; retrying`
      await invitations.update({ eventUid: invitation.eventUid, email: invitation.email, error: `${sentence} (${note})` })
    }
    throw new RetryLater(sentence, rateLimited)
  }
  const reason = retryable ? `${sentence} Gave up after ${context.attempt} attempts.` : sentence
  // A send SES may have accepted is in doubt, not failed: the organizer decides whether to send again.
  const status = kind === 'in-doubt' ? 'unknown' : 'failed'
  await sendRecords.update({ key, status, error: reason })
  if (invitation) await invitations.update({ eventUid: invitation.eventUid, email: invitation.email, status, error: reason })
  // The last retryable failure still fails the message, so it lands in the dead-letter queue.
  if (retryable) throw new RetryLater(reason)
  return { outcome: status, reason }
}

/**
 * SES reported that a message we sent bounced for good, or that its recipient complained:
 * the invitation it carried shows that, so the organizer sees why the person will not answer.
 */
export async function markInvitationUndeliverable(sesMessageId: string, sentence: string): Promise<number> {
  const { Items } = await table
    .build(QueryCommand)
    .entities(SendRecordEntity)
    .query({ index: 'gsi2', partition: keys.sesMessage(sesMessageId) })
    .send()
  let marked = 0
  for (const record of Items ?? []) {
    if (!record.eventUid) continue
    try {
      await invitations.update({ eventUid: record.eventUid, email: record.email, status: 'suppressed', error: sentence }, { condition: { attr: 'email', exists: true } })
      await invitationOutcomeChanged(record.eventUid)
      marked++
    } catch (error) {
      if (!isConditionFailure(error)) throw error
    }
  }
  return marked
}
