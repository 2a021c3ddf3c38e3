/**
 * What an event's public page shows beyond the public event (services/public-events.ts):
 * its next occurrences, and the event as a calendar file anyone may download (the whole
 * series, under the event's own UID).
 */
import { upcomingOccurrences } from '../domain/ical/upcoming-occurrences'
import { buildPublishedCalendar } from '../domain/invite/build-invitation'
import type { EventState } from '../domain/itip/event-state'
import type { EventPage } from '../../shared/schemas/event-page'
import { publicEventOf, storedEventOfPublicId } from './public-events'
import { publicMemo } from './public-cache'

/** How many next occurrences the page lists. */
const UPCOMING = 5

const isRecurring = (state: EventState) => Boolean(state.rrule) || state.rdates.length > 0

// Remembered like the public event itself (public-cache.ts): a popular page costs the table a
// read per cache time, not one per visitor. The value is shared by callers: never changed.
const eventPages = publicMemo<EventPage | null>()

/** The event as its public page shows it; null when no event has this public id. */
export function eventPageOf(publicId: string, now = new Date()): Promise<EventPage | null> {
  return eventPages.get(publicId, () => readEventPage(publicId, now))
}

async function readEventPage(publicId: string, now: Date): Promise<EventPage | null> {
  const [event, stored] = await Promise.all([publicEventOf(publicId), storedEventOfPublicId(publicId)])
  if (!event || !stored) return null
  return { ...event, upcoming: upcomingOccurrences(stored.state, now, UPCOMING), recurring: isRecurring(stored.state) }
}

/** The event's calendar file (METHOD:PUBLISH, the whole series); null when no event has this public id. */
export async function publishedCalendarOf(publicId: string, now = new Date()): Promise<{ text: string; fileName: string } | null> {
  const stored = await storedEventOfPublicId(publicId)
  if (!stored) return null
  const fileName = `${stored.state.summary.replace(/[^\p{L}\p{N} _-]+/gu, '').trim().replace(/\s+/g, '-').slice(0, 60) || 'event'}.ics`
  return { text: buildPublishedCalendar(stored.state, stored.inviteSequence, now), fileName }
}
