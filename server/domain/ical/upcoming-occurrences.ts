/**
 * An event's next occurrences for its public page: those not cancelled that have not ended by
 * `now` (one under way is still shown), soonest first. A single event is its own one
 * occurrence until it ends.
 */
import type { EventState } from '../itip/event-state'
import { occurrencesOf } from './occurrences'

const DAY = 86_400_000
/** How far ahead a series' next occurrences are looked for. */
const LOOK_AHEAD_MS = 2 * 366 * DAY

export function upcomingOccurrences(state: EventState, now: Date, limit: number): { start: string; end: string }[] {
  if (state.status === 'CANCELLED') return []
  // From a day back, so an occurrence under way (or an all-day one today) is found.
  const from = new Date(now.getTime() - DAY).toISOString()
  const to = new Date(now.getTime() + LOOK_AHEAD_MS).toISOString()
  const today = now.toISOString().slice(0, 10)
  return occurrencesOf(state, state.allDay ? from.slice(0, 10) : from, state.allDay ? to.slice(0, 10) : to)
    .filter((occurrence) => occurrence.status !== 'CANCELLED')
    .filter((occurrence) => (state.allDay ? occurrence.end > today : Date.parse(occurrence.end) > now.getTime()))
    .slice(0, limit)
    .map(({ start, end }) => ({ start, end }))
}
