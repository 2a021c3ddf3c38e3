/**
 * What an event's public page shows beyond the public event (services/public-events.ts):
 * its next occurrences, and the event as a calendar file anyone may download (the whole
 * series, under the event's own UID).
 */
import { EntityRepository } from 'dynamodb-toolbox'
import { PublicIdEntity } from '../aws/table'
import { upcomingOccurrences } from '../domain/ical/upcoming-occurrences'
import { buildPublishedCalendar } from '../domain/invite/build-invitation'
import type { EventState } from '../domain/itip/event-state'
import type { EventPage } from '../../shared/schemas/event-page'
import { loadEvent, type StoredEvent } from './event-store'
import { publicEventOf } from './public-events'
import { publicMemo } from './public-cache'

const publicIds = PublicIdEntity.build(EntityRepository)

/** How many next occurrences the page lists. */
const UPCOMING = 5

/** The stored event whose public id this is; null when there is none. */
async function storedEventOf(publicId: string): Promise<StoredEvent | null> {
  const { Item: pointer } = await publicIds.get({ publicId })
  if (!pointer) return null
  const stored = await loadEvent(pointer.eventUid)
  // As publicEventOf: the event must carry the id its pointer names.
  return stored && stored.publicId === publicId ? stored : null
}

const isRecurring = (state: EventState) => Boolean(state.rrule) || state.rdates.length > 0

// Remembered like the public event itself (public-cache.ts): a popular page costs the table a
// read per cache time, not one per visitor. The value is shared by callers: never changed.
const eventPages = publicMemo<EventPage | null>()

/** The event as its public page shows it; null when no event has this public id. */
export function eventPageOf(publicId: string, now = new Date()): Promise<EventPage | null> {
  return eventPages.get(publicId, () => readEventPage(publicId, now))
}

async function readEventPage(publicId: string, now: Date): Promise<EventPage | null> {
  const [event, stored] = await Promise.all([publicEventOf(publicId), storedEventOf(publicId)])
  if (!event || !stored) return null
  return { ...event, upcoming: upcomingOccurrences(stored.state, now, UPCOMING), recurring: isRecurring(stored.state) }
}

/** The event's calendar file (METHOD:PUBLISH, the whole series); null when no event has this public id. */
export async function publishedCalendarOf(publicId: string, now = new Date()): Promise<{ text: string; fileName: string } | null> {
  const stored = await storedEventOf(publicId)
  if (!stored) return null
  const fileName = `${stored.state.summary.replace(/[^\p{L}\p{N} _-]+/gu, '').trim().replace(/\s+/g, '-').slice(0, 60) || 'event'}.ics`
  return { text: buildPublishedCalendar(stored.state, stored.inviteSequence, now), fileName }
}
