/**
 * What an event's public page shows beyond the public event (services/public-events.ts):
 * its next occurrences, and the event as a calendar file anyone may download (the whole
 * series, under the event's own UID).
 */
import { EntityRepository } from 'dynamodb-toolbox'
import { PublicIdEntity } from '../aws/table'
import { occurrencesOf } from '../domain/ical/occurrences'
import { buildPublishedCalendar } from '../domain/invite/build-invitation'
import type { EventState } from '../domain/itip/event-state'
import type { EventPage, Occurrence } from '../../shared/schemas/event-page'
import { loadEvent, type StoredEvent } from './event-store'
import { publicEventOf } from './public-events'

const publicIds = PublicIdEntity.build(EntityRepository)

/** How far ahead the page looks for a series' next occurrences. */
const LOOK_AHEAD_MS = 2 * 366 * 86_400_000
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

/** The next occurrences not cancelled that have not ended by `now`, soonest first. */
export function upcomingOccurrences(state: EventState, now: Date, limit = UPCOMING): Occurrence[] {
  const today = now.toISOString().slice(0, 10)
  // From a day back, so an occurrence under way (or an all-day one today) is still shown.
  const from = new Date(now.getTime() - 86_400_000).toISOString()
  const to = new Date(now.getTime() + LOOK_AHEAD_MS).toISOString()
  return occurrencesOf(state, state.allDay ? from.slice(0, 10) : from, state.allDay ? to.slice(0, 10) : to)
    .filter((occurrence) => occurrence.status !== 'CANCELLED')
    .filter((occurrence) => (state.allDay ? occurrence.end > today : Date.parse(occurrence.end) > now.getTime()))
    .slice(0, limit)
    .map(({ start, end }) => ({ start, end }))
}

/** The event as its public page shows it; null when no event has this public id. */
export async function eventPageOf(publicId: string, now = new Date()): Promise<EventPage | null> {
  const [event, stored] = await Promise.all([publicEventOf(publicId), storedEventOf(publicId)])
  if (!event || !stored) return null
  const cancelled = stored.state.status === 'CANCELLED'
  return { ...event, upcoming: cancelled ? [] : upcomingOccurrences(stored.state, now), recurring: isRecurring(stored.state) }
}

/** The event's calendar file (METHOD:PUBLISH, the whole series); null when no event has this public id. */
export async function publishedCalendarOf(publicId: string, now = new Date()): Promise<{ text: string; fileName: string } | null> {
  const stored = await storedEventOf(publicId)
  if (!stored) return null
  const fileName = `${stored.state.summary.replace(/[^\p{L}\p{N} _-]+/gu, '').trim().replace(/\s+/g, '-').slice(0, 60) || 'event'}.ics`
  return { text: buildPublishedCalendar(stored.state, stored.inviteSequence, now), fileName }
}
