/**
 * The organizer dashboard's reads: an organizer's events by view, one event with its
 * breakdowns, its attendees page by page, and the organizer's rejected mail. Lists are
 * cursor-paginated; the cursor is the opaque DynamoDB key where reading stopped, checked
 * on the way back in so a cursor from another list is refused, never passed to DynamoDB.
 */
import { EntityRepository, QueryCommand, type FormattedItem } from 'dynamodb-toolbox'
import { AttendeeEntity, BreakdownsEntity, EventEntity, InvitationEntity, MailLogEntity, isConditionFailure, keys, keysStartingWith, table, type InviteOrigin, type InviteStatus } from '../aws/table'
import { eventBreakdowns, lastClientOf, type Breakdowns } from '../domain/reports/breakdowns'
import { inView, matchesSearch, startRangeOf, type EventView } from '../domain/reports/event-list'
import { BreakdownsSchema, type AttendeeListItem, type EventDetails, type EventListItem, type RejectedMessage } from '../../shared/schemas/events'
import type { PartstatValue } from '../domain/scheduling'
import { loadAttendees } from './event-store'
import { ensurePublicId, publicUrlOf } from './public-events'
import { encodeCursor, readCursor } from './cursors'


const events = EventEntity.build(EntityRepository)
const breakdownSnapshots = BreakdownsEntity.build(EntityRepository)

type Key = Record<string, unknown>
const LISTED_ATTRIBUTES = [
  'uid', 'summary', 'start', 'end', 'allDay', 'timezone', 'location', 'status', 'rrule', 'listed',
  'organizerEmail', 'organizerName', 'counts', 'attendeeCount',
] as const
type EventItem = FormattedItem<typeof EventEntity, { attributes: (typeof LISTED_ATTRIBUTES)[number] }>

// ------------------------------------------------------------------ paging

/** Items read per request at most when a filter skips many: the cursor then continues from there. */
const READ_BUDGET = 2000

interface PageSource<T> {
  read(startKey: Key | undefined, pageSize: number): Promise<{ items: T[]; lastKey: Key | undefined }>
  /** The table key of an item, as DynamoDB's LastEvaluatedKey would name it. */
  keyOf(item: T): Key
}

/**
 * Up to `limit` items that `keep` accepts, reading page after page; the cursor continues
 * right after the last item returned (or the last one read, when the budget ran out).
 */
async function collect<T>(source: PageSource<T>, options: { limit: number; startKey: Key | undefined; keep?: (item: T) => boolean }) {
  const found: T[] = []
  let startKey = options.startKey
  let read = 0
  for (;;) {
    const missing = options.limit - found.length
    // First just what is missing (most lists filter out few or none); after that, as many
    // as the share kept so far suggests, with a margin: a view that skips a few reads a few
    // more, a sparse one (cancelled events) reads large pages.
    const expected = read === 0 ? missing : Math.ceil((missing * (read + 1)) / (found.length + 1) * 1.25)
    const pageSize = Math.min(Math.max(missing, expected), READ_BUDGET - read)
    const page = await source.read(startKey, pageSize)
    read += page.items.length
    for (const [index, item] of page.items.entries()) {
      if (options.keep && !options.keep(item)) continue
      found.push(item)
      if (found.length === options.limit) {
        const more = index < page.items.length - 1 || page.lastKey !== undefined
        return { items: found, cursor: more ? encodeCursor(source.keyOf(item)) : null }
      }
    }
    if (!page.lastKey) return { items: found, cursor: null }
    startKey = page.lastKey
    if (read >= READ_BUDGET) return { items: found, cursor: encodeCursor(startKey) }
  }
}

// ------------------------------------------------------------------ events of an organizer

const toListItem = (item: EventItem): EventListItem => ({
  uid: item.uid,
  summary: item.summary,
  start: item.start,
  end: item.end ?? null,
  allDay: item.allDay,
  timezone: item.timezone ?? null,
  location: item.location ?? null,
  status: item.status,
  recurring: Boolean(item.rrule),
  listed: item.listed,
  organizer: { email: item.organizerEmail, name: item.organizerName ?? null },
  counts: item.counts,
  attendeeCount: item.attendeeCount,
})

export interface EventListOptions {
  view: EventView
  q?: string
  /** `start` ascending, `-start` descending; by default upcoming ascends, past and cancelled descend. */
  sort?: 'start' | '-start'
  limit: number
  cursor?: string
}

/** One page of an organizer's events (organizer index, by start time). */
export async function listOrganizerEvents(organizerEmail: string, options: EventListOptions, now = new Date()) {
  const partition = keys.organizer(organizerEmail)
  const range = startRangeOf(options.view, now)
  const descending = (options.sort ?? (options.view === 'upcoming' ? 'start' : '-start')) === '-start'
  const startKey = readCursor(options.cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk'], (key) => {
    if (key.gsi1pk !== partition) return false
    if (range && 'gte' in range) return (key.gsi1sk ?? '') >= range.gte
    if (range && 'lt' in range) return (key.gsi1sk ?? '') < range.lt
    return true
  })
  const query = async (keyRange: typeof range | { between: [string, string] }, exclusiveStartKey: Key | undefined, limit: number) => {
    const result = await table
      .build(QueryCommand)
      .entities(EventEntity)
      .query({ index: 'gsi1', partition, ...(keyRange ? { range: keyRange } : {}) })
      // Only what a list shows: descriptions and overrides can be kilobytes per event.
      .options({ reverse: descending, limit, exclusiveStartKey, attributes: [...LISTED_ATTRIBUTES] })
      .send()
    return { items: result.Items ?? [], lastKey: result.LastEvaluatedKey }
  }
  // The upcoming range starts at today's date (all-day events of today, keyed `YYYY-MM-DD#`,
  // are upcoming all day), which also holds today's timed events that already started. The
  // first page reads around those: today's all-day events and everything from now on, at once.
  const today = now.toISOString().slice(0, 10)
  const aroundStartedToday = options.view === 'upcoming' && !descending
  const page = await collect<EventItem>(
    {
      async read(exclusiveStartKey, limit) {
        if (aroundStartedToday && !exclusiveStartKey) {
          const [allDay, fromNow] = await Promise.all([query(keysStartingWith(keys.ordered(today)), undefined, limit), query({ gte: now.toISOString() }, undefined, limit)])
          // More all-day events today than a page (hardly ever): the plain way below.
          if (!allDay.lastKey) return { items: [...allDay.items, ...fromNow.items], lastKey: fromNow.lastKey }
        }
        return query(range, exclusiveStartKey, limit)
      },
      keyOf: (item) => ({ pk: keys.event(item.uid), sk: keys.eventItem, gsi1pk: partition, gsi1sk: keys.ordered(item.start, item.uid) }),
    },
    { limit: options.limit, startKey, keep: (item) => inView(item, options.view, now) && matchesSearch(item, options.q) },
  )
  return { events: page.items.map(toListItem), cursor: page.cursor }
}

// ------------------------------------------------------------------ one event

interface InvitationSummary {
  email: string
  origin: InviteOrigin
  status: InviteStatus
  invitedAt: string
  sentAt: string | null
  error: string | null
}

/** The invitations of an event whose addresses lie between `from` and `to` (all, without bounds). */
export async function loadInvitationsOf(eventUid: string, bounds?: { from: string; to: string }): Promise<Map<string, InvitationSummary>> {
  const range = bounds ? { between: [keys.invitation(bounds.from), keys.invitation(bounds.to)] as [string, string] } : keysStartingWith(keys.invitation.prefix)
  const { Items } = await table
    .build(QueryCommand)
    .entities(InvitationEntity)
    .query({ partition: keys.event(eventUid), range })
    .options({ maxPages: Infinity })
    .send()
  return new Map(
    (Items ?? []).map((item) => [
      item.email,
      { email: item.email, origin: item.origin, status: item.status, invitedAt: item.invitedAt, sentAt: item.sentAt ?? null, error: item.error ?? null },
    ]),
  )
}

/**
 * An event with its counts and breakdowns. The breakdowns need every attendee and
 * invitation of the event, so they are kept as a snapshot at the event's version and
 * read again only after something changed (BreakdownsEntity).
 */
export async function eventDetails(uid: string): Promise<EventDetails | null> {
  const [{ Item }, { Item: snapshot }] = await Promise.all([
    events.get({ uid }, { consistent: true }),
    breakdownSnapshots.get({ eventUid: uid }, { consistent: true }),
  ])
  if (!Item) return null
  const kept = snapshot?.version === Item.version ? BreakdownsSchema.safeParse(snapshot.breakdowns) : null
  // A snapshot kept before the breakdowns gained a part (the funnel) is computed again.
  const breakdowns = kept?.success ? kept.data : await computeBreakdowns(uid, Item.version)
  const publicId = Item.publicId ?? (await ensurePublicId(uid))!
  return {
    ...toListItem(Item),
    publicId,
    publicUrl: publicUrlOf(publicId),
    description: Item.description ?? null,
    url: Item.url ?? null,
    rrule: Item.rrule ?? null,
    sequence: Item.sequence,
    inviteSequence: Item.inviteSequence ?? Item.sequence,
    prodid: Item.prodid ?? null,
    breakdowns,
  }
}

/**
 * Breakdowns from every attendee and invitation, kept as the snapshot of `version`. Read
 * after the event was read at `version`, they show that version or a newer one; a newer
 * snapshot already kept is never replaced by an older one.
 */
async function computeBreakdowns(uid: string, version: number): Promise<Breakdowns> {
  const [attendees, invitations] = await Promise.all([loadAttendees(uid), loadInvitationsOf(uid)])
  const breakdowns = eventBreakdowns(attendees, [...invitations.values()])
  try {
    await breakdownSnapshots.put(
      { eventUid: uid, version, breakdowns, computedAt: new Date().toISOString() },
      { condition: { or: [{ attr: 'version', exists: false }, { attr: 'version', lt: version }] } },
    )
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
  return breakdowns
}

// ------------------------------------------------------------------ attendees of an event

type AttendeeItem = FormattedItem<typeof AttendeeEntity>

/** One page of an event's attendees in address order, optionally only one answer. */
export async function listEventAttendees(uid: string, options: { limit: number; cursor?: string; status?: PartstatValue }) {
  const partition = keys.event(uid)
  const startKey = readCursor(options.cursor, ['pk', 'sk'], (key) => key.pk === partition && (key.sk ?? '').startsWith(keys.attendee.prefix))
  const page = await collect<AttendeeItem>(
    {
      async read(exclusiveStartKey, limit) {
        const result = await table
          .build(QueryCommand)
          .entities(AttendeeEntity)
          .query({ partition, range: keysStartingWith(keys.attendee.prefix) })
          .options({ limit, exclusiveStartKey })
          .send()
        return { items: result.Items ?? [], lastKey: result.LastEvaluatedKey }
      },
      keyOf: (item) => ({ pk: partition, sk: keys.attendee(item.email) }),
    },
    { limit: options.limit, startKey, keep: options.status ? (item) => item.partstat === options.status : undefined },
  )
  // Invitations sort like attendees, so the page's are one range of the same partition.
  const first = page.items[0]?.email
  const last = page.items.at(-1)?.email
  const invitations = first && last ? await loadInvitationsOf(uid, { from: first, to: last }) : new Map<string, InvitationSummary>()
  const attendees: AttendeeListItem[] = page.items.map((item) => {
    const invitation = invitations.get(item.email)
    return {
      email: item.email,
      name: item.name ?? null,
      partstat: item.partstat,
      source: item.source,
      repliedAt: item.repliedAt ?? null,
      client: lastClientOf({ history: item.history as { partstat: PartstatValue; at: string; prodid?: string }[] }),
      invitation: invitation
        ? { status: invitation.status, origin: invitation.origin, invitedAt: invitation.invitedAt, sentAt: invitation.sentAt, error: invitation.error }
        : null,
    }
  })
  return { attendees, cursor: page.cursor }
}

// ------------------------------------------------------------------ an organizer's rejected mail

type MailItem = FormattedItem<typeof MailLogEntity>

/** The messages `sender` sent that were rejected, newest first, with the reason in a sentence. */
export async function listRejectedMail(sender: string, options: { limit: number; cursor?: string }) {
  const partition = keys.mailFrom(sender)
  const startKey = readCursor(options.cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk'], (key) => key.gsi1pk === partition)
  const page = await collect<MailItem>(
    {
      async read(exclusiveStartKey, limit) {
        const result = await table
          .build(QueryCommand)
          .entities(MailLogEntity)
          .query({ index: 'gsi1', partition })
          .options({ reverse: true, limit, exclusiveStartKey })
          .send()
        return { items: result.Items ?? [], lastKey: result.LastEvaluatedKey }
      },
      keyOf: (item) => ({ pk: keys.mail(item.key), sk: keys.mailItem, gsi1pk: partition, gsi1sk: keys.ordered(item.receivedAt, item.key) }),
    },
    { limit: options.limit, startKey, keep: (item) => item.outcome === 'rejected' },
  )
  const messages: RejectedMessage[] = page.items.map((item) => ({
    key: item.key,
    mailbox: item.mailbox,
    subject: item.subject,
    receivedAt: item.receivedAt,
    reason: item.reason ?? 'The message was rejected.',
    eventUid: item.eventUid ?? null,
  }))
  return { messages, cursor: page.cursor }
}
