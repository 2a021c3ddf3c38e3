/**
 * Which of an organizer's events each dashboard list shows, and the text search over them.
 * Timed events start at an instant (`…Z`); all-day events on a date, which counts as
 * upcoming for the whole day. Cancelled events show only under `cancelled`.
 */
export { EVENT_VIEWS, type EventView } from '../../../shared/vocabulary'
import type { EventView } from '../../../shared/vocabulary'

export interface ListedEvent {
  start: string
  allDay: boolean
  status: string
  summary: string
  location?: string | null
}

export function hasStarted(event: Pick<ListedEvent, 'start' | 'allDay'>, now: Date): boolean {
  const iso = now.toISOString()
  return event.allDay ? event.start.slice(0, 10) < iso.slice(0, 10) : event.start < iso
}

export function inView(event: ListedEvent, view: EventView, now: Date): boolean {
  if (view === 'cancelled') return event.status === 'CANCELLED'
  if (event.status === 'CANCELLED') return false
  return view === 'past' ? hasStarted(event, now) : !hasStarted(event, now)
}

/** Case-insensitive search over summary and location; an empty query matches everything. */
export function matchesSearch(event: Pick<ListedEvent, 'summary' | 'location'>, q: string | undefined): boolean {
  const needle = (q ?? '').trim().toLocaleLowerCase()
  if (!needle) return true
  return `${event.summary}\n${event.location ?? ''}`.toLocaleLowerCase().includes(needle)
}

/** The start-key range of the organizer index that can hold a view's events (timed and all-day). */
export function startRangeOf(view: EventView, now: Date): { gte: string } | { lt: string } | null {
  if (view === 'upcoming') return { gte: now.toISOString().slice(0, 10) }
  if (view === 'past') return { lt: now.toISOString() }
  return null
}
