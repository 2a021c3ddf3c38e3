/**
 * The public calendar feeds: an organizer's and a domain's listed upcoming events as one
 * iCalendar text a calendar client subscribes to, with the validators a conditional GET
 * needs. The events are read by the organizer index (gsi1) or the domain index (gsi2),
 * whole partitions: a series that started years ago can still be upcoming, and no index
 * says which are, so past events are read too and left out in code (domain/feed). That
 * suits the hundreds of events an organizer or a domain has; the answer is cached for
 * minutes (utils/http-cache.ts), so subscribers do not multiply the reads.
 */
import { createHash } from 'node:crypto'
import { QueryCommand, type FormattedItem } from 'dynamodb-toolbox'
import { EventEntity, OrganizerEntity, keys, keysStartingWith, table } from '../aws/table'
import { buildFeedCalendar, type FeedEntry } from '../domain/feed/feed-calendar'
import { selectFeedEvents } from '../domain/feed/feed-selection'
import { config } from '../config'
import { toState } from './event-store'
import { domainPageUrlOf, organizerOfPublicId, organizerPageUrlOf, publicUrlOf } from './public-events'
import type { Validators } from '../utils/http-cache'
import type { FeedUrls } from '../../shared/schemas/public-listing'

type EventItem = FormattedItem<typeof EventEntity>

export interface Feed extends Validators {
  /** The iCalendar text. */
  body: string
  /** Events in it. */
  events: number
}

export type { FeedUrls }

/** The https address with its scheme as webcal:// (an http address, on a local server, too). */
const withWebcal = (url: string): FeedUrls => ({ https: url, webcal: url.replace(/^https?:\/\//, 'webcal://') })

/** The addresses of an organizer's feed (their public id) or of a domain's feed. */
export function feedUrlsOf(owner: { organizerPublicId: string } | { domain: string }): FeedUrls {
  const site = config().siteUrl
  return 'organizerPublicId' in owner
    ? withWebcal(`${site}/organizers/${encodeURIComponent(owner.organizerPublicId)}/events.ics`)
    : withWebcal(`${site}/domains/${encodeURIComponent(owner.domain)}/events.ics`)
}

/** Every event of one partition of an index, in start order. */
async function eventsOf(index: 'gsi1' | 'gsi2', partition: string): Promise<EventItem[]> {
  const { Items = [] } = await table
    .build(QueryCommand)
    .entities(EventEntity)
    .query(index === 'gsi1' ? { index, partition } : { index, partition, range: keysStartingWith(keys.domainEvent.prefix) })
    .options({ maxPages: Infinity })
    .send()
  return Items
}

function feedOf(name: string, pageUrl: string, items: EventItem[], now: Date): Feed {
  const candidates = items.map((item) => ({
    event: toState(item),
    listed: item.listed,
    changedAt: item.modified,
    sequence: item.inviteSequence ?? item.sequence,
    publicId: item.publicId ?? null,
  }))
  const { entries, lastModified } = selectFeedEvents(candidates, now)
  const feedEntries: FeedEntry[] = entries.map((entry) => ({ ...entry, pageUrl: entry.publicId ? publicUrlOf(entry.publicId) : null }))
  const body = buildFeedCalendar({ name, url: pageUrl }, feedEntries)
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`
  return { body, etag, lastModified, events: entries.length }
}

/** The feed of an organizer's listed upcoming events, by their public id; null when no organizer has it. */
export async function organizerFeed(organizerPublicId: string, now = new Date()): Promise<Feed | null> {
  const organizer = await organizerOfPublicId(organizerPublicId)
  if (!organizer) return null
  const items = await eventsOf('gsi1', keys.organizer(organizer.email))
  // The name, never the address: the feed is public.
  return feedOf(organizer.name ? `Events of ${organizer.name}` : `Events at ${organizer.domain}`, organizerPageUrlOf(organizerPublicId), items, now)
}

/** Whether any organizer of the server is in this domain. */
async function knownDomain(domain: string): Promise<boolean> {
  const { Items = [] } = await table
    .build(QueryCommand)
    .entities(OrganizerEntity)
    .query({ index: 'gsi2', partition: keys.domain(domain), range: keysStartingWith(keys.organizer.prefix) })
    .options({ limit: 1, attributes: ['email'] })
    .send()
  return Items.length > 0
}

/** The feed of a domain's listed upcoming events (every organizer of the domain); null for a domain the server does not know. */
export async function domainFeed(domain: string, now = new Date()): Promise<Feed | null> {
  const name = domain.toLowerCase()
  if (!(await knownDomain(name))) return null
  return feedOf(`Events at ${name}`, domainPageUrlOf(name), await eventsOf('gsi2', keys.domain(name)), now)
}
