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
import { upcomingOccurrences } from '../domain/ical/upcoming-occurrences'
import { repeatsInWords } from '../domain/public/listing'
import { loadAttendees, toState } from './event-store'
import { ensurePublicId, publicUrlOf } from './public-events'
import { InvalidCursor, decodeCursor, encodeCursor, readCursor } from './cursors'
import { getMany } from '../aws/batch-get'
import { config } from '../config'
import { arrangeAttendees, pageAfter, summarizeAttendees, type AttendeeRow } from '../domain/reports/attendee-list'
import { ATTENDEE_SORTS, type AttendeeSort } from '../../shared/schemas/events'
import { ATTENDEE_SOURCES, PARTSTAT_VALUES } from '../../shared/vocabulary'
import { z } from 'zod'


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
/** How many next occurrences the event's page lists. */
const UPCOMING = 5

export async function eventDetails(uid: string, now = new Date()): Promise<EventDetails | null> {
  const [{ Item }, { Item: snapshot }] = await Promise.all([
    events.get({ uid }, { consistent: true }),
    breakdownSnapshots.get({ eventUid: uid }, { consistent: true }),
  ])
  if (!Item) return null
  const kept = snapshot?.version === Item.version ? BreakdownsSchema.safeParse(snapshot.breakdowns) : null
  // A snapshot kept before the breakdowns gained a part (the funnel) is computed again.
  const breakdowns = kept?.success ? kept.data : await once(`${config().tableName}#${uid}#${Item.version}`, breakdownsInFlight, () => computeBreakdowns(uid, Item.version))
  const publicId = Item.publicId ?? (await ensurePublicId(uid))!
  const state = toState(Item)
  return {
    ...toListItem(Item),
    publicId,
    publicUrl: publicUrlOf(publicId),
    description: Item.description ?? null,
    url: Item.url ?? null,
    rrule: Item.rrule ?? null,
    repeats: repeatsInWords(state.rrule, state.rdates),
    upcoming: upcomingOccurrences(state, now, UPCOMING),
    sequence: Item.sequence,
    inviteSequence: Item.inviteSequence ?? Item.sequence,
    prodid: Item.prodid ?? null,
    breakdowns,
  }
}

/**
 * Runs `read` once for all callers asking for `key` while it runs, and for a moment after:
 * the first page views of a big event after a change come together (a dashboard, its
 * polling, the organizer's other tabs), and each would otherwise read every attendee of the
 * event at the same moment. A caller whose own reads began before the result was stored
 * (its snapshot read found nothing) may ask just after `read` ended; keys name the event's
 * version, so the result handed to it is still the one it would compute.
 */
async function once<T>(key: string, inFlight: Map<string, Promise<T>>, read: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key)
  if (running) return await running
  const reading = read()
  inFlight.set(key, reading)
  reading.then(
    () => setTimeout(() => inFlight.delete(key), KEPT_AFTER_READ_MS).unref(),
    () => inFlight.delete(key),
  )
  return await reading
}
const KEPT_AFTER_READ_MS = 2000
const breakdownsInFlight = new Map<string, Promise<Breakdowns>>()
const rowsInFlight = new Map<string, Promise<AttendeeRow[]>>()

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

/** What every attendee is read for: enough to filter, search, sort and count (their history is not). */
const ROW_ATTRIBUTES = ['email', 'name', 'partstat', 'source', 'repliedAt'] as const

/** The cursor of the attendee list: the order it was given in, and the last row of the page. */
const AttendeeCursorSchema = z.strictObject({
  sort: z.enum(ATTENDEE_SORTS),
  after: z.strictObject({
    email: z.string(),
    name: z.string().nullable(),
    partstat: z.enum(PARTSTAT_VALUES),
    source: z.enum(ATTENDEE_SOURCES),
    repliedAt: z.string().nullable(),
  }),
})

function readAttendeeCursor(cursor: string | undefined, sort: AttendeeSort): AttendeeRow | undefined {
  const parsed = AttendeeCursorSchema.safeParse(decodeCursor(cursor))
  if (cursor && (!parsed.success || parsed.data.sort !== sort)) throw new InvalidCursor()
  return parsed.success ? parsed.data.after : undefined
}

/** Rows kept across events at most (about 200 bytes each): the events read most recently stay. */
const CACHED_ROWS = 200_000
/** Every attendee's row of an event, as of an event version (a write to any attendee raises it). */
const rowsByEvent = new Map<string, { version: number; rows: AttendeeRow[] }>()

/**
 * Every attendee of an event as rows, read again only when the event's version moved: the
 * event item is read (one small read) and the rows kept for that version are used, so the
 * next pages, another filter or order, and the page reading itself again while an invitation
 * is queued cost one read each, not the whole event. The rows of a version are the same
 * whichever instance reads them, so a copy here is never stale, only absent.
 */
async function attendeeRowsOf(uid: string): Promise<AttendeeRow[]> {
  const { Item } = await events.get({ uid }, { consistent: true, attributes: ['version'] })
  const version = Item?.version ?? 0
  // Per table too: tests and the local stack point the same process at fresh tables.
  const key = `${config().tableName}#${uid}`
  const kept = rowsByEvent.get(key)
  if (kept && kept.version === version) {
    // Most recently used last: the first entries are the ones given up.
    rowsByEvent.delete(key)
    rowsByEvent.set(key, kept)
    return kept.rows
  }
  const rows = await once(`${key}#${version}`, rowsInFlight, () => readAttendeeRows(uid))
  rowsByEvent.delete(key)
  rowsByEvent.set(key, { version, rows })
  let total = 0
  for (const entry of rowsByEvent.values()) total += entry.rows.length
  for (const [oldest, entry] of rowsByEvent) {
    if (total <= CACHED_ROWS || oldest === key) break
    rowsByEvent.delete(oldest)
    total -= entry.rows.length
  }
  return rows
}

async function readAttendeeRows(uid: string): Promise<AttendeeRow[]> {
  const { Items } = await table
    .build(QueryCommand)
    .entities(AttendeeEntity)
    .query({ partition: keys.event(uid), range: keysStartingWith(keys.attendee.prefix) })
    .options({ consistent: true, maxPages: Infinity, attributes: [...ROW_ATTRIBUTES] })
    .send()
  return (Items ?? []).map((item) => ({
    email: item.email,
    name: item.name ?? null,
    partstat: item.partstat,
    source: item.source,
    repliedAt: item.repliedAt ?? null,
  }))
}

/**
 * One page of an event's attendees, filtered, searched and sorted over the whole event.
 * Names in natural order and a search inside names have no key that sorts or finds them,
 * so every attendee is read, but only the five attributes above, and once per event
 * version (attendeeRowsOf). The cost of that read is bounded by the event's attendee limit
 * (CIS_EVENT_ATTENDEE_LIMIT, 100,000 by default); the page's own rows are then read whole
 * (their history names the calendar client) with their invitations, by key.
 */
export async function listEventAttendees(uid: string, options: { limit: number; cursor?: string; status?: PartstatValue; q?: string; sort?: AttendeeSort }) {
  const sort = options.sort ?? 'name'
  const after = readAttendeeCursor(options.cursor, sort)
  const rows = await attendeeRowsOf(uid)
  const arranged = arrangeAttendees(rows, { status: options.status, q: options.q, sort })
  const page = pageAfter(arranged, sort, after, options.limit)
  const [full, invitations] = await Promise.all([
    getMany(AttendeeEntity, page.rows.map((row) => ({ eventUid: uid, email: row.email }))),
    getMany(InvitationEntity, page.rows.map((row) => ({ eventUid: uid, email: row.email }))),
  ])
  const attendees: AttendeeListItem[] = page.rows.map((row, index) => {
    const item: AttendeeItem | undefined = full[index]
    const invitation = invitations[index]
    return {
      ...row,
      client: item ? lastClientOf({ history: item.history as { partstat: PartstatValue; at: string; prodid?: string }[] }) : null,
      invitation: invitation
        ? { status: invitation.status, origin: invitation.origin, invitedAt: invitation.invitedAt, sentAt: invitation.sentAt ?? null, error: invitation.error ?? null }
        : null,
    }
  })
  const last = page.rows.at(-1)
  return {
    attendees,
    cursor: page.more && last ? encodeCursor({ sort, after: last }) : null,
    matching: arranged.length,
    summary: summarizeAttendees(rows),
  }
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
