/**
 * What each input is run through, in a worker (pool.ts), importing the real modules and no
 * services: `cis inspect`, the inbound pipeline's reading and deciding, the invitation
 * builder (the event decided from the message, composed for one of its attendees, as
 * `cis preview-invite` and the send worker do) and the list checker (`cis check-list`
 * without --event).
 *
 * An input ends with an outcome (a decision, a description, a summary) or a clear reason:
 * the domain's sentence-carrying errors, NotSchedulingMessage for mail and calendars and
 * UnreadableList for lists, which the pipeline records and the command line prints as
 * they are. Anything else thrown is a crash.
 */
import { inspectFile } from '../../server/cli/inspect-file'
import { readMail } from '../../server/domain/mail/read-mail'
import { readCalendar, readFirstCalendar } from '../../server/domain/ical/read-calendar'
import { isSenderVerified } from '../../server/domain/mail/receipt'
import { storageProblem } from '../../server/domain/itip/event-state'
import { decideOrganizerMessage, decideReply, type Policy } from '../../server/domain/itip/rules'
import { NotSchedulingMessage, type SchedulingMessage } from '../../server/domain/scheduling'
import { composeInvitationMessage } from '../../server/domain/invite/compose-message'
import { shippedMailTemplates } from '../../server/templates/mail'
import { readListBatches } from '../../server/domain/lists/read-list'
import { summarizeList } from '../../server/domain/lists/summarize-list'
import { UnreadableList } from '../../server/domain/lists/list-entry'
import { checkListBatches } from '../../server/services/list-checks'
import type { FuzzInput } from './mutations'

const SERVER_MAILBOX = 'rsvp@events.localhost'
const policy: Policy = { requireVerifiedSender: true, allowedOrganizerDomains: [], serverAddresses: ['create@events.localhost', SERVER_MAILBOX] }
const RECEIVED_AT = '2026-01-01T00:00:00Z'
const NOW = new Date(RECEIVED_AT)
// As SES's receipt notification says for mail that passed its checks.
const PASSED = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' } as const

/** The domain's errors that carry a sentence for a person: an input ending in one has a clear reason. */
export function isClearReason(error: unknown): boolean {
  return error instanceof NotSchedulingMessage || error instanceof UnreadableList
}

/** The pipeline's verdict on one message, then the invitation the event it makes would send. */
async function decideAndInvite(message: SchedulingMessage, senderEmail: string | null): Promise<string> {
  const sender = { email: senderEmail, verified: senderEmail ? isSenderVerified({ source: senderEmail, from: [senderEmail], verdicts: PASSED }, senderEmail) : false }
  const lead = message.master ?? message.overrides[0]
  const organizer = lead?.organizer?.email ?? null
  // The invitation is built from the event the message creates as its organizer's.
  const asRequest = decideOrganizerMessage({ ...message, method: 'REQUEST' }, null, { email: organizer, verified: true }, { ...policy, requireVerifiedSender: false })
  if (message.method === 'REPLY') {
    const current = 'event' in asRequest ? asRequest.event : null
    const decision = decideReply(message, current, null, sender, policy, { receivedAt: RECEIVED_AT })
    return `reply ${decision.outcome}`
  }
  const decision = decideOrganizerMessage(message, null, sender, policy)
  if (!('event' in asRequest)) return `${message.method} ${decision.outcome}; no event: ${asRequest.reason}`
  const event = asRequest.event
  // The pipeline stores no event it could not keep (services/ingest.ts), so none is ever
  // invited to: building one (a 2 MB TZID took 660 MB of heap) tests no path the server has.
  const tooLarge = storageProblem(event)
  if (tooLarge) return `${message.method} ${decision.outcome}; not stored: ${tooLarge}`
  const recipient = asRequest.invitees[0] ?? { email: 'attendee@example.com', name: null }
  let bytes = 0
  for (const method of ['REQUEST', 'CANCEL'] as const) {
    const mime = await composeInvitationMessage({
      event,
      recipient: { email: recipient.email, name: recipient.name },
      method,
      sequence: event.sequence + 1,
      organizerMailbox: SERVER_MAILBOX,
      unsubscribeUrl: 'https://events.example.com/unsubscribe/fuzz',
      templates: shippedMailTemplates,
      now: NOW,
    })
    bytes += mime.length
  }
  return `${message.method} ${decision.outcome}; invitation and cancellation ${bytes} bytes`
}

/** A clear reason's sentence as the outcome, or the error thrown on. */
async function orReason(run: () => Promise<string>): Promise<string> {
  try {
    return await run()
  } catch (error) {
    if (isClearReason(error)) return `reason: ${(error as Error).message.slice(0, 120)}`
    throw error
  }
}

async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

export const LIST_MAX_BYTES = 50 * 1024 * 1024

export type Step = 'inspect' | 'pipeline' | 'invitation' | 'check-list'

/**
 * Runs one input through every target it fits, saying for each what it ended with. Throws,
 * with `step` set to the target it was in, on anything other than a clear reason.
 */
export async function runInput(input: FuzzInput, onStep: (step: Step) => void = () => {}): Promise<string> {
  const outcomes: string[] = []
  if (input.kind === 'list') {
    onStep('check-list')
    outcomes.push(
      await orReason(async () => {
        const batches = readListBatches(pieces(input.bytes, input.chunkBytes ?? 65536), { layout: input.layout ?? 'auto', maxBytes: LIST_MAX_BYTES })
        const summary = await summarizeList(checkListBatches(batches, null))
        return `list: ${summary.rows} rows, ${summary.valid} valid, ${summary.invalid.length} invalid, ${summary.duplicates.length} duplicates`
      }),
    )
    return outcomes.join(' | ')
  }
  const name = input.kind === 'mail' ? 'fuzz.eml' : 'fuzz.ics'
  onStep('inspect')
  // `cis inspect` prints the description as JSON.
  outcomes.push(await orReason(async () => `inspect: ${JSON.stringify(await inspectFile(name, input.bytes)).length} characters`))
  onStep('pipeline')
  outcomes.push(
    await orReason(async () => {
      if (input.kind === 'calendar') {
        const message = readCalendar(new TextDecoder().decode(input.bytes))
        onStep('invitation')
        return decideAndInvite(message, (message.master ?? message.overrides[0])?.organizer?.email ?? null)
      }
      const mail = await readMail(input.bytes)
      if (mail.kind !== 'message' || !mail.calendars.length) return `mail ${mail.kind}, ${mail.calendars.length} calendars: ignored`
      const message = readFirstCalendar(mail.calendars)
      onStep('invitation')
      return decideAndInvite(message, mail.from?.email ?? null)
    }),
  )
  return outcomes.join(' | ')
}
