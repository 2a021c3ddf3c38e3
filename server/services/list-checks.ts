/**
 * The checks of an invitation list that need the server: its own mailboxes (configuration
 * only), and, given a target, the events the rows name, who organizes them, the
 * suppression list and who is already invited. The dashboard's preview, the list worker,
 * the bulk mailbox and `cis check-list` all run rows through here, after the reader
 * (server/domain/lists/read-list.ts) has found what the file alone shows.
 */
import { InvitationEntity } from '../aws/table'
import { getMany } from '../aws/batch-get'
import { config } from '../config'
import { LIST_REASONS, type ListEntry, type ListReason, type ListRow } from '../domain/lists/list-entry'
import { loadEvent, type StoredEvent } from './event-store'
import { suppressionsOf, type SuppressionReason } from './suppression'

export interface ListTarget {
  /** The one event every row is for (the vip layout); the bulk layout's rows name theirs. */
  eventUid?: string
  /** Who sends the list: rows for events someone else organizes are refused. Absent: the event's own organizer. */
  organizer?: string
}

/** Rows checked against the table together: batch reads for suppressions and invitations, all at once. */
const CHECK_CHUNK = 500

/** A suppression in a list's words. */
export const SUPPRESSION_REASONS: Record<SuppressionReason, ListReason> = {
  blocked: LIST_REASONS.blocked,
  unsubscribed: LIST_REASONS.unsubscribed,
  bounced: LIST_REASONS.suppressed,
  complained: LIST_REASONS.suppressed,
}

/** Why a row naming this event cannot be invited by `organizer`, or null. */
export function eventProblem(event: StoredEvent | null, organizer: string | undefined): ListReason | null {
  if (!event) return LIST_REASONS.unknownEvent
  if (organizer && event.state.organizer.email.toLowerCase() !== organizer.toLowerCase()) return LIST_REASONS.notYourEvent
  if (event.state.status === 'CANCELLED') return LIST_REASONS.cancelledEvent
  return null
}

/**
 * The entries, with each row this server must not invite turned into an invalid entry with
 * its reason. Without a target, only what configuration decides (the server's mailboxes).
 * Throws a sentence when the target event does not exist.
 */
export async function* checkListEntries(entries: AsyncIterable<ListEntry>, target: ListTarget | null = null): AsyncGenerator<ListEntry> {
  if (target) {
    for await (const batch of checkListBatches(entries, target)) yield* batch
    return
  }
  const mailboxes = new Set(Object.values(config().mailboxes))
  for await (const entry of entries) yield entry.kind === 'row' && mailboxes.has(entry.email) ? mailboxRefused(entry) : entry
}

/** A mailbox row refused; its value copied out of the batch (see read-list.ts `own`), as summaries keep it. */
const mailboxRefused = (entry: ListRow): ListEntry => ({ kind: 'invalid', row: entry.row, value: ` ${entry.value}`.slice(1), reason: LIST_REASONS.serverMailbox })

/**
 * checkListEntries a batch at a time: entries in (one by one, or in readListBatches'
 * batches), batches out, in order; with a target, checked against the table CHECK_CHUNK rows
 * at a time. Without one, a batch comes back as it went in, mailbox rows replaced.
 */
export async function* checkListBatches(entries: AsyncIterable<ListEntry | ListEntry[]>, target: ListTarget | null = null): AsyncGenerator<ListEntry[]> {
  const mailboxes = new Set(Object.values(config().mailboxes))
  const events = new Map<string, Promise<StoredEvent | null>>()
  const eventOf = (uid: string) => {
    let event = events.get(uid)
    if (!event) events.set(uid, (event = loadEvent(uid)))
    return event
  }
  if (target?.eventUid && !(await eventOf(target.eventUid))) throw new Error(`There is no event ${target.eventUid}.`)

  const mailboxChecked = (batch: ListEntry[]) => {
    for (let at = 0; at < batch.length; at++) {
      const entry = batch[at]!
      if (entry.kind === 'row' && mailboxes.has(entry.email)) batch[at] = mailboxRefused(entry)
    }
    return batch
  }
  let chunk: ListEntry[] = []
  for await (const item of entries) {
    const batch = mailboxChecked(Array.isArray(item) ? [...item] : [item])
    if (!target) {
      yield batch
      continue
    }
    chunk.push(...batch)
    while (chunk.length >= CHECK_CHUNK) {
      yield await checkChunk(chunk.slice(0, CHECK_CHUNK), target, eventOf)
      chunk = chunk.slice(CHECK_CHUNK)
    }
  }
  if (target && chunk.length) yield await checkChunk(chunk, target, eventOf)
}

async function checkChunk(chunk: ListEntry[], target: ListTarget, eventOf: (uid: string) => Promise<StoredEvent | null>): Promise<ListEntry[]> {
  const refuse = (entry: ListRow, reason: ListReason): ListEntry => ({ kind: 'invalid', row: entry.row, value: entry.value, reason })
  const checked: ListEntry[] = [...chunk]
  const open: { at: number; entry: ListRow; uid: string }[] = []
  for (const [at, entry] of chunk.entries()) {
    if (entry.kind !== 'row') continue
    const uid = target.eventUid ?? entry.uid ?? ''
    const problem = eventProblem(await eventOf(uid), target.organizer)
    if (problem) checked[at] = refuse(entry, problem)
    else open.push({ at, entry, uid })
  }
  if (!open.length) return checked
  const [suppressions, invitations] = await Promise.all([
    suppressionsOf(open.map(({ entry }) => entry.email)),
    getMany(InvitationEntity, open.map(({ entry, uid }) => ({ eventUid: uid, email: entry.email }))),
  ])
  open.forEach(({ at, entry }, position) => {
    const suppression = suppressions.get(entry.email)
    const invitation = invitations[position]
    if (suppression) checked[at] = refuse(entry, SUPPRESSION_REASONS[suppression.reason])
    // A failed or suppressed invitation is sent again, as a single invite would be.
    else if (invitation && (invitation.status === 'queued' || invitation.status === 'sent')) checked[at] = refuse(entry, LIST_REASONS.alreadyInvited)
  })
  return checked
}
