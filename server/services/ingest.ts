/**
 * Applies one received message: read the mail, find its calendar, check who sent it, apply
 * the iTIP rules and store the result. Returns an outcome with a sentence a person
 * understands; throws only when storage itself fails (so the queue retries).
 */
import { OversizedMail, readMail, type ReceivedMail } from '../domain/mail/read-mail'
import { isSenderVerified, type SesReceipt } from '../domain/mail/receipt'
import { readFirstCalendar } from '../domain/ical/read-calendar'
import { NotSchedulingMessage, type SchedulingMessage } from '../domain/scheduling'
import { decideOrganizerMessage, decideRefresh, decideReply, mergeAttendees, type Policy, type Sender } from '../domain/itip/rules'
import { webAnswerMessage } from '../domain/itip/web-answer'
import type { PartstatValue } from '../domain/scheduling'
import { storageProblem } from '../domain/itip/event-state'
import type { MailOutcome } from '../aws/table'
import { config } from '../config'
import { enqueueSendJobs } from './send-jobs'
import { applyBulkMessage } from './bulk-mailbox'
import { ConcurrentChange, loadAttendee, loadAttendees, loadEvent, nextInviteSequence, saveEventChange, saveReply } from './event-store'

export interface IngestOutcome {
  outcome: MailOutcome
  reason: string
  uid?: string
  method?: string
  /** The calendar's ORGANIZER address, for the logs. */
  organizer?: string
  sender: string
  senderVerified: boolean
  subject: string
  messageId: string | null
  warnings: string[]
  /** The invitation lists a message to the bulk mailbox became. */
  listIds?: string[]
  /** For the organizer's notification. */
  event?: { summary: string; start: string; organizerName: string | null }
}

export interface IngestContext {
  /** The mailbox the message was delivered to (`create`, `rsvp`, `bulk`). */
  mailbox: string
  /** The S3 key, recorded with replies and on the event for tracing. */
  mailKey?: string
  receivedAt: string
  /** SES's receipt notification (verdicts, envelope sender): the only ground for trusting the sender. */
  receipt: Pick<SesReceipt, 'verdicts' | 'source' | 'from'> | null
}

export function policyFromConfig(): Policy {
  const cfg = config()
  const ownAddress = /<([^>]+)>/.exec(cfg.fromAddress)?.[1] ?? cfg.fromAddress
  return {
    requireVerifiedSender: cfg.requireVerifiedSender,
    allowedOrganizerDomains: cfg.allowedOrganizerDomains,
    serverAddresses: [...Object.values(cfg.mailboxes), ownAddress.toLowerCase()],
  }
}

const MAX_CONCURRENT_RETRIES = 5

/** A message too large to read: rejected with its sentence, from the sender its header names (bounces and auto-replies are ignored, as when read whole). */
function refuseOversized(error: OversizedMail, context: IngestContext): IngestOutcome {
  const { header } = error
  const sender = header.from?.email ?? ''
  const base = { sender, senderVerified: sender ? isSenderVerified(context.receipt, sender) : false, subject: header.subject, messageId: header.messageId, warnings: [] }
  if (header.kind !== 'message') return { ...base, outcome: 'ignored', reason: `This is ${header.kind === 'bounce' ? 'a delivery failure report (bounce)' : 'an automatic reply'}, not an invitation, and too large to read: ${error.message}` }
  return { ...base, outcome: 'rejected', reason: error.message }
}

export async function ingestMessage(raw: Uint8Array | string, context: IngestContext): Promise<IngestOutcome> {
  let mail: ReceivedMail
  try {
    mail = await readMail(raw)
  } catch (error) {
    if (error instanceof OversizedMail) return refuseOversized(error, context)
    // The same bytes would fail the same way on every retry: a verdict, not an outage.
    return {
      outcome: 'rejected',
      reason: error instanceof NotSchedulingMessage ? error.message : `The message could not be read as email (${(error as Error).message}).`,
      sender: '',
      senderVerified: false,
      subject: '',
      messageId: null,
      warnings: [],
    }
  }
  const senderEmail = mail.from?.email ?? ''
  const sender: Sender = { email: senderEmail || null, verified: senderEmail ? isSenderVerified(context.receipt, senderEmail) : false }
  const base = { sender: senderEmail, senderVerified: sender.verified, subject: mail.subject, messageId: mail.messageId, warnings: [] as string[] }
  const done = (outcome: MailOutcome, reason: string, extra: Partial<IngestOutcome> = {}): IngestOutcome => ({ ...base, outcome, reason, ...extra })

  if (mail.kind === 'bounce') return done('ignored', 'This is a delivery failure report (bounce), not an invitation.')
  if (mail.kind === 'auto-reply') return done('ignored', 'This is an automatic reply, not an invitation.')
  const policy = policyFromConfig()
  if (senderEmail && policy.serverAddresses.includes(senderEmail)) return done('ignored', 'The message was sent by this server itself (a mail loop).')
  if (context.receipt?.verdicts.virus === 'FAIL') return done('rejected', 'The mail scanner found a virus in this message.')
  if (context.receipt?.verdicts.spam === 'FAIL') return done('rejected', 'The mail scanner classified this message as spam.')
  if (context.mailbox === 'bulk') return { ...base, ...(await applyBulkMessage(mail, sender, context.mailKey)) }

  let message: SchedulingMessage
  try {
    message = readFirstCalendar(mail.calendars)
  } catch (error) {
    if (!(error instanceof NotSchedulingMessage)) throw error
    const quiet = error.code === 'no-method' || error.code === 'publish'
    return done(quiet ? 'ignored' : 'rejected', error.message)
  }
  const lead = message.master ?? message.overrides[0]!
  const about = { uid: lead.uid, method: message.method, organizer: lead.organizer?.email, warnings: message.warnings }
  base.warnings = message.warnings

  switch (message.method) {
    case 'REQUEST':
    case 'CANCEL':
      return { ...(await applyOrganizerMessage(message, sender, policy, context)), ...base, ...about }
    case 'REPLY':
      return { ...(await applyReply(message, sender, policy, context)), ...base, ...about }
    case 'COUNTER':
      return done('ignored', 'A counter-proposal never changes the event; the organizer decides in their own calendar.', about)
    case 'REFRESH':
      return { ...(await applyRefresh(message, sender, policy, context)), ...base, ...about }
    default:
      return done('ignored', `${message.method} messages change nothing on this server.`, about)
  }
}

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await attempt()
    } catch (error) {
      if (!(error instanceof ConcurrentChange) || round >= MAX_CONCURRENT_RETRIES) throw error
    }
  }
}

async function applyOrganizerMessage(message: SchedulingMessage, sender: Sender, policy: Policy, context: IngestContext) {
  const uid = (message.master ?? message.overrides[0]!).uid
  return withRetries(async () => {
    const current = await loadEvent(uid)
    const decision = decideOrganizerMessage(message, current?.state ?? null, sender, policy)
    if (!('event' in decision)) {
      // This very message was applied before, but the fan-out of its change may not have been
      // queued (the queue failed and the message came back): queue it again; it is idempotent.
      if (current && context.mailKey && current.sourceMailKey === context.mailKey) await fanOut(uid)
      return decision
    }
    // An event the table cannot hold is refused with the reason, not retried until parked.
    const tooLarge = storageProblem(decision.event)
    if (tooLarge) return { outcome: 'rejected' as const, reason: tooLarge }
    const stored = current ? await loadAttendees(uid) : []
    const merged = mergeAttendees(
      stored,
      decision.invitees,
      decision.reaskBelowSequence,
      decision.event.organizer.email,
      nextInviteSequence(current, decision.event),
    )
    const before = new Map(stored.map((a) => [a.email, JSON.stringify(a)]))
    const changed = merged.filter((a) => before.get(a.email) !== JSON.stringify(a))
    await saveEventChange(current, decision.event, merged, changed, context.mailKey)
    // Everyone this server sent the event to gets the update or the cancellation.
    if (current) await fanOut(uid)
    return {
      outcome: decision.outcome,
      reason: decision.reason,
      event: { summary: decision.event.summary, start: decision.event.start, organizerName: decision.event.organizer.name },
    }
  })
}

const fanOut = (eventUid: string) => enqueueSendJobs([{ type: 'fan-out', eventUid }])

async function applyReply(message: SchedulingMessage, sender: Sender, policy: Policy, context: IngestContext) {
  const lead = message.master ?? message.overrides[0]!
  const replier = lead.attendees[0]?.email
  return withRetries(async () => {
    const current = await loadEvent(lead.uid)
    const stored = current && replier ? await loadAttendee(lead.uid, replier) : null
    const decision = decideReply(message, current?.state ?? null, stored, sender, policy, {
      receivedAt: context.receivedAt,
      mailKey: context.mailKey,
      inviteSequence: current?.inviteSequence,
    })
    if (decision.outcome !== 'reply') return decision
    await saveReply(current!, decision.previous, decision.attendee)
    return { outcome: decision.outcome, reason: decision.reason }
  })
}

/**
 * An answer given on the web (the signed Yes / Maybe / No link of an invitation this server
 * sent): applied as the REPLY it stands for, by the same rules and writes as one by mail.
 * The link's signature is what a verified From is for mail: it was sent to this attendee.
 */
export async function applyWebAnswer(eventUid: string, attendee: { email: string; name: string | null }, partstat: PartstatValue, at: Date = new Date()) {
  const event = await loadEvent(eventUid)
  if (!event) return { outcome: 'ignored' as const, reason: 'The event no longer exists.' }
  const message = webAnswerMessage({
    event: event.state,
    inviteSequence: event.inviteSequence,
    attendee,
    partstat,
    organizerMailbox: config().mailboxes.rsvp,
    at: at.toISOString(),
  })
  return applyReply(message, { email: attendee.email.toLowerCase(), verified: true }, policyFromConfig(), { mailbox: 'web', receivedAt: at.toISOString(), receipt: null })
}

async function applyRefresh(message: SchedulingMessage, sender: Sender, policy: Policy, context: IngestContext) {
  const lead = message.master ?? message.overrides[0]!
  const asking = lead.attendees[0]?.email
  const current = await loadEvent(lead.uid)
  const stored = current && asking ? await loadAttendee(lead.uid, asking) : null
  const decision = decideRefresh(message, current?.state ?? null, stored, sender, policy)
  if (decision.outcome !== 'refreshed') return decision
  // One send per REFRESH message: its key makes a redelivery of this mail send nothing more.
  const requestKey = context.mailKey ?? `${lead.uid}#${lead.dtstamp ?? context.receivedAt}`
  await enqueueSendJobs([{ type: 'refresh', eventUid: lead.uid, email: decision.recipient.email, requestKey }])
  return { outcome: decision.outcome, reason: decision.reason }
}
