/**
 * Invitations this server sends for an event ("API #3"): an organizer asks for an address
 * to be invited; it is checked, recorded as an attendee (NEEDS-ACTION) with its origin, and
 * a send job is queued. The send worker (send-worker.ts) builds and sends the message.
 */
import { EntityRepository, QueryCommand, $add, $remove } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity, InvitationEntity, InviteQuotaEntity, isConditionFailure, keys, keysStartingWith, table, type InviteOrigin, type InviteStatus } from '../aws/table'
import { getMany } from '../aws/batch-get'
import { LIST_REASONS, type ListReason } from '../domain/lists/list-entry'
import { isMailAddress } from '../domain/mail/address'
import { givePlacesBack, takePlaces } from './request-windows'
import { config } from '../config'
import type { InvitationView, InviteResult } from '../../shared/schemas/invites'
import { signToken, readToken } from '../domain/links/signed-token'
import { countKeyOf } from '../domain/itip/event-state'
import { loadEvent, type StoredEvent } from './event-store'
import { suppressionsOf, unsubscribe } from './suppression'
import { SUPPRESSION_REASONS } from './list-checks'
import { enqueueSendJobs } from './send-jobs'
import { encodeCursor, readCursor } from './cursors'

const invitations = InvitationEntity.build(EntityRepository)
const attendees = AttendeeEntity.build(EntityRepository)
const events = EventEntity.build(EntityRepository)

export interface InviteRequest {
  eventUid: string
  email: string
  name?: string | null
  origin: InviteOrigin
  /** The organizer (or `public`) who asked. */
  invitedBy: string
}


type InvitationItem = NonNullable<Awaited<ReturnType<typeof invitations.get>>['Item']>

const toView = (item: InvitationItem): InvitationView => ({
  email: item.email,
  name: item.name ?? null,
  origin: item.origin,
  invitedAt: item.invitedAt,
  status: item.status,
  sentSequence: item.sentSequence ?? null,
  sentMethod: item.sentMethod ?? null,
  sentAt: item.sentAt ?? null,
  error: item.error ?? null,
})

/** Names become header and calendar values: no control characters, bounded length. */
const cleanName = (name: string | null | undefined) => {
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)
  return cleaned || null
}

export async function loadInvitation(eventUid: string, email: string): Promise<InvitationView | null> {
  const { Item } = await invitations.get({ eventUid, email }, { consistent: true })
  return Item ? toView(Item) : null
}

/**
 * Records and queues one invitation. Refuses what must not be mailed (the server's own
 * mailboxes, blocked, unsubscribed, bounced or complaining addresses, a cancelled event,
 * the organizer's daily limit, the event's attendee limit); inviting the same person twice
 * sends once, unless the earlier send failed.
 */
export async function inviteToEvent(request: InviteRequest, stored?: StoredEvent | null): Promise<InviteResult> {
  const event = stored === undefined ? await loadEvent(request.eventUid) : stored
  if (!event) return { outcome: 'refused', reason: `There is no event ${request.eventUid}.` }
  const [result] = await inviteMany(event, [{ email: request.email, name: request.name }], { origin: request.origin, invitedBy: request.invitedBy })
  const { listReason: _listReason, sameList: _sameList, ...answer } = result!
  return answer
}

export interface InviteRow {
  email: string
  name?: string | null
}

export interface InviteManyRequest {
  origin: InviteOrigin
  /** The organizer (or `public`) who asked. */
  invitedBy: string
  /** The invitation list the rows come from: its figures count their outcomes. */
  listId?: string
  /** The daily limit that applies instead of the server's (a bulk sender's own). */
  dailyLimit?: number
  now?: Date
}

export interface RowInviteResult extends InviteResult {
  /** The same refusal in a list's words (server/domain/lists/list-entry.ts). */
  listReason?: ListReason
  /** Already invited by this very list: a worker resuming after a crash finds its own work. */
  sameList?: boolean
}

const QUOTA_WINDOW_MINUTES = 24 * 60
/** Rows per transaction: an invitation and an attendee each, and the event's counts (DynamoDB takes 100 items). */
const ROWS_PER_TRANSACTION = 49
const MAX_TRANSACTION_ROUNDS = 8

const refused = (reason: string, listReason: ListReason): RowInviteResult => ({ outcome: 'refused', reason, listReason })

/**
 * Invites many addresses to one event: the checks of a single invitation, read for all of
 * them at once (batch reads), and the writes in transactions of 49 rows with the event's
 * counts and its attendee limit as their condition. Results are in the order of `rows`.
 * The daily quota is taken for what is to be queued, and given back for what then is not.
 */
export async function inviteMany(event: StoredEvent, rows: InviteRow[], request: InviteManyRequest): Promise<RowInviteResult[]> {
  const now = request.now ?? new Date()
  const uid = event.state.uid
  const results: (RowInviteResult | undefined)[] = rows.map(() => undefined)
  if (event.state.status === 'CANCELLED') {
    return rows.map(() => refused('The event is cancelled, so no invitations are sent for it.', LIST_REASONS.cancelledEvent))
  }
  const mailboxes = new Set(Object.values(config().mailboxes))
  const emails = rows.map((row) => row.email.trim().toLowerCase())
  const seen = new Set<string>()
  emails.forEach((email, index) => {
    // A calendar may name an attendee by any address; the sender refuses what no mail may carry, so it is never queued.
    if (!isMailAddress(email)) results[index] = refused(`${email} is not a valid email address, so no invitation can be sent to it.`, LIST_REASONS.invalidAddress)
    else if (mailboxes.has(email)) results[index] = refused(`${email} is one of this server's own mailboxes.`, LIST_REASONS.serverMailbox)
    else if (seen.has(email)) results[index] = { outcome: 'already-invited', reason: `${email} is listed twice.`, listReason: LIST_REASONS.alreadyInvited }
    seen.add(email)
  })
  const pending = () => emails.map((email, index) => ({ email, index })).filter(({ index }) => !results[index])

  // Suppressions, earlier invitations and who is on the event are read at once (the latter
  // two also for rows then found suppressed: a few wasted keys instead of more round trips).
  const unchecked = pending()
  const [suppressions, found, onEvent] = await Promise.all([
    suppressionsOf(unchecked.map(({ email }) => email)),
    getMany(InvitationEntity, unchecked.map(({ email }) => ({ eventUid: uid, email })), { consistent: true }),
    getMany(AttendeeEntity, unchecked.map(({ email }) => ({ eventUid: uid, email })), { consistent: true }),
  ])
  const attendeeOf = new Map(unchecked.map(({ index }, position) => [index, onEvent[position]]))
  for (const { email, index } of unchecked) {
    const suppression = suppressions.get(email)
    if (suppression) results[index] = refused(suppression.sentence, SUPPRESSION_REASONS[suppression.reason])
  }

  const candidates = pending()
  const existing = found.filter((_, position) => !results[unchecked[position]!.index])
  const resend: { email: string; index: number }[] = []
  const fresh: { email: string; index: number }[] = []
  // Still queued by this very list: a worker died between writing them and queueing their
  // sends. Their send jobs are queued (again: a send happens once whatever the jobs).
  const requeue: string[] = []
  candidates.forEach((candidate, position) => {
    const invitation = existing[position]
    if (!invitation) return fresh.push(candidate)
    if (RESENDABLE.has(invitation.status)) return resend.push(candidate)
    results[candidate.index] = {
      outcome: 'already-invited',
      reason: invitation.status === 'sent' ? `${candidate.email} was already sent this invitation.` : `The invitation to ${candidate.email} is already queued.`,
      listReason: LIST_REASONS.alreadyInvited,
      invitation: toView(invitation),
      sameList: request.listId !== undefined && invitation.listId === request.listId,
    }
    if (results[candidate.index]!.sameList && invitation.status === 'queued') requeue.push(candidate.email)
  })

  // The organizer's daily quota: what does not fit is refused by row, in row order.
  const quotaSubject = event.state.organizer.email
  const dailyLimit = request.dailyLimit ?? config().dailyInviteLimit
  const wanted = [...resend, ...fresh].sort((a, b) => a.index - b.index)
  const granted = wanted.length ? await takePlaces(InviteQuotaEntity, quotaSubject, wanted.length, dailyLimit, now, QUOTA_WINDOW_MINUTES) : 0
  const overQuota = new Set(wanted.slice(granted).map(({ index }) => index))
  for (const index of overQuota) {
    results[index] = refused(`Over the daily limit of ${dailyLimit.toLocaleString('en')} invitations for ${quotaSubject}; try again tomorrow.`, LIST_REASONS.overDailyLimit)
  }
  let unused = 0
  const invitedAt = now.toISOString()
  // The deliver jobs of each write are queued while the next write runs; all are sent before this returns.
  const enqueues: Promise<void>[] = []
  const enqueue = (emails: string[]) => {
    if (emails.length) enqueues.push(enqueueSendJobs(emails.map((email) => ({ type: 'deliver' as const, eventUid: uid, email }))))
  }
  enqueue(requeue)
  /** Resends, then new invitations a transaction at a time, each queued as soon as it is written. */
  const recordAndQueue = async () => {
    for (const { email, index } of resend.filter(({ index }) => !overQuota.has(index))) {
      const invitation = existing[candidates.findIndex((candidate) => candidate.index === index)]!
      await invitations.update({ eventUid: uid, email, status: 'queued', ...(request.listId ? { listId: request.listId, listCounted: $remove() } : {}) })
      results[index] = { outcome: 'queued', reason: `The invitation to ${email} is queued again.`, invitation: { ...toView(invitation), status: 'queued' } }
      enqueue([email])
    }

    const toRecord = fresh.filter(({ index }) => !overQuota.has(index))
    // Who is on the event as read above (a write re-reads them only after a failed condition).
    const people = toRecord.map(({ index }) => attendeeOf.get(index))
    for (let start = 0; start < toRecord.length; start += ROWS_PER_TRANSACTION) {
      const chunk = toRecord.slice(start, start + ROWS_PER_TRANSACTION).map(({ email, index }) => ({
        index,
        item: {
          eventUid: uid,
          email,
          name: cleanName(rows[index]!.name) ?? undefined,
          origin: request.origin,
          invitedAt,
          invitedBy: request.invitedBy,
          status: 'queued' as const,
          ...(request.listId ? { listId: request.listId } : {}),
        },
      }))
      const outcome = await recordInvitations(event, chunk.map(({ item }) => item), people.slice(start, start + ROWS_PER_TRANSACTION))
      const queued: string[] = []
      chunk.forEach(({ index, item }, position) => {
        const written = outcome[position]!
        if (written === 'recorded') {
          results[index] = { outcome: 'queued', reason: `The invitation to ${item.email} is queued for sending.`, invitation: toView(item as InvitationItem) }
          queued.push(item.email)
          return
        }
        unused++
        results[index] =
          written === 'taken'
            ? { outcome: 'already-invited', reason: `The invitation to ${item.email} is already queued.`, listReason: LIST_REASONS.alreadyInvited }
            : written === 'no-event'
              ? refused(`There is no event ${uid}.`, LIST_REASONS.unknownEvent)
              : refused(`The event has reached its limit of ${config().eventAttendeeLimit.toLocaleString('en')} attendees.`, LIST_REASONS.overEventLimit)
      })
      enqueue(queued)
    }
  }
  try {
    await recordAndQueue()
  } catch (error) {
    await Promise.allSettled(enqueues)
    throw error
  }
  await givePlacesBack(InviteQuotaEntity, quotaSubject, unused, now, QUOTA_WINDOW_MINUTES)
  await Promise.all(enqueues)
  return results.map((result) => result!)
}

const RESENDABLE = new Set<InviteStatus>(['failed', 'unknown', 'suppressed', 'unsubscribed'])

type RecordOutcome = 'recorded' | 'taken' | 'over-limit' | 'no-event'
type NewInvitation = Parameters<typeof invitations.put>[0] & { email: string; invitedAt: string; name?: string }

/**
 * Invitations and, for people new to the event, attendees awaiting an answer, with the
 * event's counts, in one transaction (at most ROWS_PER_TRANSACTION rows). People already on
 * the event (named by the organizer, or who answered a forwarded invite) keep their answer.
 * The event's condition keeps it within its attendee limit; when a row is taken meanwhile
 * or the limit is reached, the transaction is tried again without what cannot be written.
 */
async function recordInvitations(event: StoredEvent, items: NewInvitation[], known?: Awaited<ReturnType<typeof getMany<typeof AttendeeEntity>>>): Promise<RecordOutcome[]> {
  const uid = event.state.uid
  const limit = config().eventAttendeeLimit
  const outcomes: (RecordOutcome | undefined)[] = items.map(() => undefined)
  for (let round = 1; ; round++) {
    const open = items.map((item, index) => ({ item, index })).filter(({ index }) => !outcomes[index])
    if (!open.length) return outcomes.map((outcome) => outcome!)
    // The first round may use the attendees read beforehand; a round after a failed write reads them again.
    const people = round === 1 && known ? known : await getMany(AttendeeEntity, open.map(({ item }) => ({ eventUid: uid, email: item.email })), { consistent: true })
    const newcomers = people.filter((person) => !person).length
    const counts: Record<string, number> = {}
    const writes = open.flatMap(({ item }, position) => {
      const person = people[position]
      const invitationPut = invitations.transactPut(item, { condition: { attr: 'email', exists: false } })
      if (person && person.source !== 'shared') return [invitationPut]
      // New, or upgraded from a forwarded invite (counted as "shared") to invited by us.
      const key = countKeyOf(person?.partstat ?? 'NEEDS-ACTION')
      counts[key] = (counts[key] ?? 0) + 1
      if (person) counts.shared = (counts.shared ?? 0) - 1
      return [
        invitationPut,
        person
          ? attendees.transactUpdate({ eventUid: uid, email: item.email, source: 'invite' }, { condition: { attr: 'source', eq: 'shared' } })
          : attendees.transactPut(
              { eventUid: uid, email: item.email, name: item.name, partstat: 'NEEDS-ACTION', source: 'invite', invitedAt: item.invitedAt },
              { condition: { attr: 'email', exists: false } },
            ),
      ]
    })
    // The version rises so an organizer's update in flight re-reads the attendee list.
    const eventUpdate = events.transactUpdate(
      { uid, version: $add(1), counts: Object.fromEntries(Object.entries(counts).map(([key, n]) => [key, $add(n)])), ...(newcomers ? { attendeeCount: $add(newcomers) } : {}) },
      { condition: newcomers ? { and: [{ attr: 'uid', exists: true }, { attr: 'attendeeCount', lte: limit - newcomers }] } : { attr: 'uid', exists: true } },
    )
    try {
      await EntityRepository.executeTransactWrite(...writes, eventUpdate)
      for (const { index } of open) outcomes[index] = 'recorded'
      continue
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons
      if (round >= MAX_TRANSACTION_ROUNDS || !reasons) throw error
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
        await new Promise((resolve) => setTimeout(resolve, 20 * round))
        continue
      }
      // Which writes failed their condition: a row taken meanwhile, or the event.
      let cursor = 0
      open.forEach(({ index }, position) => {
        const width = people[position] && people[position]!.source !== 'shared' ? 1 : 2
        if (reasons[cursor]?.Code === 'ConditionalCheckFailed') outcomes[index] = 'taken'
        cursor += width
      })
      if (reasons.at(-1)?.Code === 'ConditionalCheckFailed') {
        const { Item } = await events.get({ uid }, { consistent: true })
        if (!Item) {
          for (const { index } of open) outcomes[index] ??= 'no-event'
          continue
        }
        // Room for this many newcomers; people already on the event need none.
        let room = Math.max(0, limit - Item.attendeeCount)
        open.forEach(({ index }, position) => {
          if (outcomes[index] || people[position]) return
          if (room > 0) room--
          else outcomes[index] = 'over-limit'
        })
      }
    }
  }
}

/** One page of an event's invitations, in address order. */
export async function listInvitations(eventUid: string, options: { limit?: number; cursor?: string } = {}) {
  const partition = keys.event(eventUid)
  const startKey = readCursor(options.cursor, ['pk', 'sk'], (key) => key.pk === partition && (key.sk ?? '').startsWith(keys.invitation.prefix))
  const page = await table
    .build(QueryCommand)
    .entities(InvitationEntity)
    .query({ partition, range: keysStartingWith(keys.invitation.prefix) })
    .options({ limit: options.limit ?? 100, exclusiveStartKey: startKey })
    .send()
  return { invitations: (page.Items ?? []).map(toView), cursor: encodeCursor(page.LastEvaluatedKey) }
}

// ------------------------------------------------------------------ unsubscribe links

const UNSUBSCRIBE = 'unsubscribe'

/** The one-click unsubscribe URL (RFC 8058) put in every invitation to `email`. */
export function unsubscribeUrl(email: string, eventUid: string): string {
  const cfg = config()
  return `${cfg.siteUrl}/unsubscribe/${signToken(cfg.secret, UNSUBSCRIBE, [email.toLowerCase(), eventUid])}`
}

export function readUnsubscribeToken(token: string): { email: string; eventUid: string } | null {
  const values = readToken(config().secret, UNSUBSCRIBE, token)
  if (!values || values.length !== 2) return null
  return { email: values[0]!, eventUid: values[1]! }
}

/**
 * A one-click unsubscribe (RFC 8058): the address gets no more mail from this server, for
 * any event, and the invitation that carried the link shows it. Idempotent.
 */
export async function unsubscribeByToken(token: string): Promise<{ email: string } | null> {
  const link = readUnsubscribeToken(token)
  if (!link) return null
  await unsubscribe(link.email)
  await invitations
    .update({ eventUid: link.eventUid, email: link.email, status: 'unsubscribed', error: 'The attendee unsubscribed.' }, { condition: { attr: 'email', exists: true } })
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error
    })
  return { email: link.email }
}
