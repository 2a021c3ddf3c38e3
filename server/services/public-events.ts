/**
 * What the public pages read and what the organizer decides about them: an event's public
 * id (given to events stored before ids existed when first asked for), the event by that
 * id, whether it is listed, and the upcoming listed events of the site, of an organizer and
 * of a domain. Public reads are remembered for a few seconds (public-cache.ts).
 */
import { $add, EntityRepository, QueryCommand, type FormattedItem } from 'dynamodb-toolbox'
import { table, EventEntity, OrganizerEntity, OrganizerPublicIdEntity, PublicIdEntity, isConditionFailure, keys, keysStartingWith } from '../aws/table'
import { config } from '../config'
import type { PublicEvent } from '../../shared/schemas/public'
import { LIST_PAGE_SIZE, type DomainList, type OrganizerList, type PublicList, type PublicListItem, type PublicListQuery } from '../../shared/schemas/public-listing'
import { matchesSearch, nextOccurrenceOf, pageOf, repeatsInWords, searchTextOf, soonestFirst } from '../domain/public/listing'
import type { EventState } from '../domain/itip/event-state'
import { loadEvent, newPublicId, type StoredEvent } from './event-store'
import { forgetPublicReads, publicMemo } from './public-cache'
import { feedUrlsOf } from './feeds'

const events = EventEntity.build(EntityRepository)
const publicIds = PublicIdEntity.build(EntityRepository)
const organizers = OrganizerEntity.build(EntityRepository)
const organizerPublicIds = OrganizerPublicIdEntity.build(EntityRepository)

/** Attempts at a write conditional on the event's version before giving up on a busy event. */
const ATTEMPTS = 5

export class BusyEvent extends Error {
  constructor() {
    super('The event is changing right now; please try again.')
    this.name = 'BusyEvent'
  }
}

/** The absolute address of an event's public page. */
export const publicUrlOf = (publicId: string) => `${config().siteUrl}/events/${publicId}`
/** The absolute address of an organizer's public page (their listed events). */
export const organizerPageUrlOf = (organizerPublicId: string) => `${config().siteUrl}/organizers/${organizerPublicId}`
/** The absolute address of a domain's public page (its organizers' listed events). */
export const domainPageUrlOf = (domain: string) => `${config().siteUrl}/domains/${encodeURIComponent(domain)}`

/**
 * The event's public id; one is made (with its pointer, in one transaction) for an event
 * stored before ids existed. Null when there is no such event.
 */
export async function ensurePublicId(uid: string): Promise<string | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { Item } = await events.get({ uid }, { consistent: true, attributes: ['uid', 'publicId', 'version'] })
    if (!Item) return null
    if (Item.publicId) return Item.publicId
    const publicId = newPublicId()
    try {
      await EntityRepository.executeTransactWrite(
        // The version rises so a write based on the event as read before (a full put) fails and reads again.
        events.transactUpdate({ uid, publicId, version: $add(1) }, { condition: { and: [{ attr: 'version', eq: Item.version }, { attr: 'publicId', exists: false }] } }),
        publicIds.transactPut({ publicId, eventUid: uid }, { condition: { attr: 'publicId', exists: false } }),
      )
      return publicId
    } catch (error) {
      if (!isConditionFailure(error)) throw error
    }
  }
  throw new BusyEvent()
}

/**
 * The organizer's public id (their page's address); one is made, with its pointer, the first
 * time it is asked for. Null when the server knows no such organizer.
 */
export async function ensureOrganizerPublicId(email: string): Promise<string | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { Item } = await organizers.get({ email }, { consistent: true, attributes: ['email', 'domain', 'publicId'] })
    if (!Item) return null
    if (Item.publicId) return Item.publicId
    const publicId = newPublicId()
    try {
      await EntityRepository.executeTransactWrite(
        organizers.transactUpdate({ email, domain: Item.domain, publicId }, { condition: { attr: 'publicId', exists: false } }),
        organizerPublicIds.transactPut({ publicId, organizerEmail: Item.email }, { condition: { attr: 'publicId', exists: false } }),
      )
      return publicId
    } catch (error) {
      if (!isConditionFailure(error)) throw error
    }
  }
  throw new BusyEvent()
}

/** The organizer whose public id this is (their name and domain; never their address shown). */
export async function organizerOfPublicId(publicId: string): Promise<{ email: string; name: string | null; domain: string } | null> {
  const { Item: pointer } = await organizerPublicIds.get({ publicId })
  if (!pointer) return null
  const { Item } = await organizers.get({ email: pointer.organizerEmail })
  if (!Item || Item.publicId !== publicId) return null
  return { email: Item.email, name: Item.name ?? null, domain: Item.domain }
}

/** Lists or unlists an event. Written as the whole item, so the public index (gsi3) follows. */
export async function setEventListed(uid: string, listed: boolean): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const { Item } = await events.get({ uid }, { consistent: true })
    if (!Item) return
    if (Item.listed === listed) return
    try {
      // Without the `modified` read, so the put stamps this change's time (feeds' Last-Modified reads it).
      const { modified: _read, ...unchanged } = Item
      await events.put({ ...unchanged, listed, version: Item.version + 1 }, { condition: { attr: 'version', eq: Item.version } })
      // This process's public pages show the change at once; other processes within the cache time.
      forgetPublicReads()
      return
    } catch (error) {
      if (!isConditionFailure(error)) throw error
    }
  }
  throw new BusyEvent()
}

/** The stored event whose public id this is (read afresh); null when none carries it. */
export async function storedEventOfPublicId(publicId: string): Promise<StoredEvent | null> {
  const { Item: pointer } = await publicIds.get({ publicId })
  if (!pointer) return null
  const stored = await loadEvent(pointer.eventUid)
  // A pointer leads only to the event that carries the same id.
  return stored && stored.publicId === publicId ? stored : null
}

const publicEvents = publicMemo<PublicEvent | null>(5000)

/**
 * The event whose public id this is, as its public page shows it; null when there is none.
 * Remembered for PUBLIC_CACHE_SECONDS (public-cache.ts): a change shows within that time.
 * Every caller within that time gets the same object: read it, never change it.
 */
export function publicEventOf(publicId: string): Promise<PublicEvent | null> {
  return publicEvents.get(publicId, () => readPublicEvent(publicId))
}

async function readPublicEvent(publicId: string): Promise<PublicEvent | null> {
  const { Item: pointer } = await publicIds.get({ publicId })
  if (!pointer) return null
  const { Item } = await events.get({ uid: pointer.eventUid })
  // A pointer outlives nothing it does not name: the event must carry the same id.
  if (!Item || Item.publicId !== publicId) return null
  const organizerPublicId = await ensureOrganizerPublicId(Item.organizerEmail)
  return {
    publicId,
    pageUrl: publicUrlOf(publicId),
    summary: Item.summary,
    description: Item.description ?? null,
    location: Item.location ?? null,
    url: Item.url ?? null,
    start: Item.start,
    end: Item.end ?? null,
    allDay: Item.allDay,
    timezone: Item.timezone ?? null,
    rrule: Item.rrule ?? null,
    status: Item.status,
    listed: Item.listed,
    organizerName: Item.organizerName ?? null,
    organizerPageUrl: organizerPublicId ? organizerPageUrlOf(organizerPublicId) : null,
    domainPageUrl: domainPageUrlOf(Item.organizerDomain),
  }
}

// ------------------------------------------------------------------ the public lists

/** How far ahead the lists look for single events (a series' next occurrence: two years). */
const MONTHS_AHEAD = 12
/** Months of the site's list read at once (siteByMonth). */
const MONTHS_AT_ONCE = 4
/**
 * The most events a list holds (its search and its pages look no further): the soonest so
 * many, read once per cache time, so a search costs no read of its own.
 */
export const LIST_WINDOW = 2000

type ListedEvent = FormattedItem<typeof EventEntity>
/** A listed event ahead, with its next occurrence's times, whose it is and what a search reads (never shown). */
type Upcoming = PublicListItem & { organizerEmail: string; organizerDomain: string; searchText: string }

const lists = publicMemo<Upcoming[]>(2000)
// Lists are remembered per day of `now` (what they read starts there); within a day, for the cache time.
const dayOf = (now: Date) => now.toISOString().slice(0, 10)
const organizersByPublicId = publicMemo<Awaited<ReturnType<typeof organizerOfPublicId>>>(2000)
const knownDomains = publicMemo<boolean>(2000)

/** The list item of a stored listed event as of `now`, or null when it is over (or has no public id yet). */
function upcomingOf(event: ListedEvent, now: Date): Upcoming | null {
  if (!event.publicId || !event.listed || event.status === 'CANCELLED') return null
  const next = nextOccurrenceOf({ ...event, end: event.end ?? null, rrule: event.rrule ?? null, instances: event.instances as EventState['instances'] }, now)
  if (!next) return null
  return {
    publicId: event.publicId,
    pageUrl: publicUrlOf(event.publicId),
    summary: event.summary,
    start: next.start,
    end: next.end,
    allDay: event.allDay,
    timezone: event.timezone ?? null,
    location: event.location ?? null,
    organizerName: event.organizerName ?? null,
    repeats: repeatsInWords(event.rrule, event.rdates),
    organizerEmail: event.organizerEmail,
    organizerDomain: event.organizerDomain,
    searchText: searchTextOf(event),
  }
}

/**
 * The events, each with its public id: one listed before ids existed (and not opened by its
 * organizer since) is given its id now, once, as any first asker does.
 */
async function withPublicIds(items: ListedEvent[]): Promise<ListedEvent[]> {
  return Promise.all(items.map(async (event) => (event.publicId ? event : { ...event, publicId: (await ensurePublicId(event.uid)) ?? undefined })))
}

/** Every listed series (their own gsi3 partition), as of `now`. */
function listedSeries(now: Date): Promise<Upcoming[]> {
  return lists.get(`series:${dayOf(now)}`, async () => {
    const { Items = [] } = await table
      .build(QueryCommand)
      .entities(EventEntity)
      .query({ index: 'gsi3', partition: keys.publicRecurring })
      .options({ maxPages: Infinity })
      .send()
    return (await withPublicIds(Items)).map((event) => upcomingOf(event, now)).filter((item) => item !== null)
  })
}

/**
 * The soonest LIST_WINDOW listed single events of the site, reading gsi3's month partitions in
 * order (a series listed before series had their own partition is there too, by its first start).
 */
async function siteByMonth(now: Date): Promise<Upcoming[]> {
  const found: Upcoming[] = []
  const today = now.toISOString().slice(0, 10)
  const monthOf = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7)
  const eventsOf = async (month: string) => {
    const { Items = [] } = await table
      .build(QueryCommand)
      .entities(EventEntity)
      .query({ index: 'gsi3', partition: keys.publicMonth(month), range: { gte: today } })
      .options({ maxPages: Infinity })
      .send()
    return withPublicIds(Items)
  }
  // A few months at a time, in order: a site with few events would otherwise wait for a
  // year of one-month queries one after another (a cold start's first page paid ~150 ms).
  for (let offset = 0; offset <= MONTHS_AHEAD && found.length < LIST_WINDOW; offset += MONTHS_AT_ONCE) {
    const months = Array.from({ length: Math.min(MONTHS_AT_ONCE, MONTHS_AHEAD + 1 - offset) }, (_, index) => monthOf(offset + index))
    for (const events of await Promise.all(months.map(eventsOf))) {
      for (const event of events) {
        const item = upcomingOf(event, now)
        if (item) found.push(item)
      }
    }
  }
  return found
}

/** The soonest LIST_WINDOW listed events in one gsi1 (organizer) or gsi2 (domain) partition. */
async function listedIn(index: 'gsi1' | 'gsi2', partition: string, range: { gte: string } | { between: [string, string] }, now: Date): Promise<Upcoming[]> {
  const { Items = [] } = await table
    .build(QueryCommand)
    .entities(EventEntity)
    .query({ index, partition, range })
    // Only listed events that are not cancelled are on gsi3; gsi1 and gsi2 hold every event.
    .options({ maxPages: Infinity, filters: { Event: { and: [{ attr: 'listed', eq: true }, { attr: 'status', ne: 'CANCELLED' }] } } })
    .send()
  return (await withPublicIds(Items))
    .map((event) => upcomingOf(event, now))
    .filter((item) => item !== null)
    .slice(0, LIST_WINDOW)
}

/** A page of `upcoming` (a `listOf`), searched, as the API answers it. */
function pageOfList(upcoming: Upcoming[], query: PublicListQuery): PublicList {
  const matching = query.q ? upcoming.filter((event) => matchesSearch(event, query.q)) : upcoming
  const { items, nextPage } = pageOf(matching, query.page ?? 1, LIST_PAGE_SIZE)
  // Whose an event is stays on the server: the list shows the organizer's name only.
  return { events: items.map(({ organizerEmail: _email, organizerDomain: _domain, searchText: _text, ...item }) => item), nextPage }
}

/**
 * What a list holds, made once per cache time rather than per request: soonest first, each
 * event once (a series starting ahead is read both by its start and among the series), at
 * most LIST_WINDOW.
 */
function listOf(upcoming: Upcoming[]): Upcoming[] {
  return soonestFirst([...new Map(upcoming.map((event) => [event.publicId, event])).values()]).slice(0, LIST_WINDOW)
}

/** The site's upcoming listed events (the landing page), singles and series' next occurrences. */
export async function listUpcomingPublicEvents(query: PublicListQuery = {}, now = new Date()): Promise<PublicList> {
  const upcoming = await lists.get(`site:${dayOf(now)}`, async () => {
    const [singles, series] = await Promise.all([siteByMonth(now), listedSeries(now)])
    return listOf([...singles, ...series])
  })
  return pageOfList(upcoming, query)
}

/** The organizer's upcoming listed events, by their public id; null when no organizer has it. */
export async function listOrganizerPublicEvents(organizerPublicId: string, query: PublicListQuery = {}, now = new Date()): Promise<OrganizerList | null> {
  const organizer = await organizersByPublicId.get(organizerPublicId, () => organizerOfPublicId(organizerPublicId))
  if (!organizer) return null
  const upcoming = await lists.get(`organizer:${organizer.email}:${dayOf(now)}`, async () =>
    listOf([
      ...(await listedIn('gsi1', keys.organizer(organizer.email), { gte: now.toISOString().slice(0, 10) }, now)),
      ...(await listedSeries(now)).filter((event) => event.organizerEmail.toLowerCase() === organizer.email.toLowerCase()),
    ]),
  )
  return {
    organizer: { name: organizer.name, pageUrl: organizerPageUrlOf(organizerPublicId), domain: organizer.domain, domainPageUrl: domainPageUrlOf(organizer.domain) },
    feed: feedUrlsOf({ organizerPublicId }),
    ...pageOfList(upcoming, query),
  }
}

/** The upcoming listed events of a domain's organizers; null when the server knows no organizer there. */
export async function listDomainPublicEvents(domain: string, query: PublicListQuery = {}, now = new Date()): Promise<DomainList | null> {
  const name = domain.toLowerCase()
  const known = await knownDomains.get(name, async () => {
    const { Items = [] } = await table
      .build(QueryCommand)
      .entities(OrganizerEntity)
      .query({ index: 'gsi2', partition: keys.domain(name), range: keysStartingWith(keys.organizer.prefix) })
      .options({ limit: 1 })
      .send()
    return Items.length > 0
  })
  if (!known) return null
  const upcoming = await lists.get(`domain:${name}:${dayOf(now)}`, async () =>
    listOf([
      ...(await listedIn('gsi2', keys.domain(name), { between: [keys.domainEvent(now.toISOString().slice(0, 10)), keysStartingWith(keys.domainEvent.prefix).between[1]] }, now)),
      ...(await listedSeries(now)).filter((event) => event.organizerDomain.toLowerCase() === name),
    ]),
  )
  return { domain: name, pageUrl: domainPageUrlOf(name), feed: feedUrlsOf({ domain: name }), ...pageOfList(upcoming, query) }
}
