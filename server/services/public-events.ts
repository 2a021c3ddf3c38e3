/**
 * What the public pages read and what the organizer decides about them: an event's public
 * id (given to events stored before ids existed when first asked for), the event by that
 * id, whether it is listed, and the upcoming listed events.
 */
import { $add, EntityRepository, QueryCommand } from 'dynamodb-toolbox'
import { table, EventEntity, OrganizerEntity, OrganizerPublicIdEntity, PublicIdEntity, isConditionFailure, keys } from '../aws/table'
import { config } from '../config'
import type { PublicEventSummary } from '../../shared/schemas/events'
import type { PublicEvent } from '../../shared/schemas/public'
import { newPublicId } from './event-store'

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
      return
    } catch (error) {
      if (!isConditionFailure(error)) throw error
    }
  }
  throw new BusyEvent()
}

/** The event whose public id this is, as its public page shows it; null when there is none. */
export async function publicEventOf(publicId: string): Promise<PublicEvent | null> {
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

/** Listed events starting from `now`, reading the month partitions of gsi3 in order. */
export async function listUpcomingPublicEvents(now: Date, limit = 20, monthsAhead = 12): Promise<PublicEventSummary[]> {
  const found: PublicEventSummary[] = []
  const from = now.toISOString()
  for (let offset = 0; offset <= monthsAhead && found.length < limit; offset++) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7)
    const page = await table
      .build(QueryCommand)
      .entities(EventEntity)
      .query({ index: 'gsi3', partition: keys.publicMonth(month), range: { gte: from.slice(0, 10) } })
      .options({ limit: limit - found.length, maxPages: Infinity })
      .send()
    for (const event of page.Items ?? []) {
      // All-day events compare by date; timed ones by instant.
      if (!event.allDay && event.start < from) continue
      found.push({
        uid: event.uid,
        summary: event.summary,
        start: event.start,
        end: event.end,
        allDay: event.allDay,
        location: event.location,
        organizerName: event.organizerName,
      })
    }
  }
  return found.slice(0, limit)
}
