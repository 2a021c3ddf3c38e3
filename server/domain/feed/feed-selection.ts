/**
 * Which events a feed carries: the listed ones that are not past, in the order of their
 * next occurrence, at most a fixed number; and when the feed last changed (its
 * Last-Modified). A series that started long ago is upcoming while it has an occurrence
 * still to come or under way (occurrences.ts decides, in the organizer's zone); a cancelled
 * event stays, as cancelled, until it is past, so subscribers see it cancelled rather than
 * see it vanish.
 */
import type { EventState } from '../itip/event-state'
import { occurrencesOf } from '../ical/occurrences'
import { msOfStored } from '../ical/zone'

/** Events in one feed at most: the soonest ones (a client reads a feed whole, on every refresh). */
export const FEED_EVENT_LIMIT = 500

const HOUR = 3_600_000
const DAY = 24 * HOUR
/**
 * How far ahead a series' next occurrence is looked for: a year first (every weekly, monthly
 * or yearly series has one there), then ten (a series of a few far dates). Each look
 * iterates the rule from its first occurrence to the end of the window, so the short one
 * keeps a feed of many long-running series fast.
 */
const HORIZONS = [366 * DAY, 10 * 366 * DAY]
/** How far back the last occurrence of a past event is looked for (Last-Modified; see below). */
const LOOKBACK = 366 * DAY
/**
 * An all-day event's dates are the same everywhere, so its last day ends when it has ended
 * in the last zone on Earth (UTC−12), twelve hours after it ended in UTC.
 */
const LAST_ZONE_OFFSET = 12 * HOUR

export interface FeedCandidate {
  event: EventState
  listed: boolean
  /** When the event last changed (ISO). */
  changedAt: string
}

/** When an occurrence is over: its end (or start), an all-day one at the end of its last day everywhere. */
function endMsOf(occurrence: { start: string; end: string }, allDay: boolean): number {
  const end = msOfStored(occurrence.end || occurrence.start)
  return allDay ? end + LAST_ZONE_OFFSET : end
}

/** The longest an occurrence of the event lasts (the series' own length, or an override's). */
function longestMs(event: EventState): number {
  const length = (start: string | null | undefined, end: string | null | undefined) => (start && end ? msOfStored(end) - msOfStored(start) : 0)
  const lengths = [length(event.start, event.end), ...Object.values(event.instances).map((i) => length(i.start ?? i.recurrenceId, i.end))]
  return Math.max(DAY, ...lengths.filter(Number.isFinite))
}

/** The start of the event's first occurrence not yet over at `now` (ms), or null when it is past. */
export function nextOccurrenceMs(event: EventState, now: Date): number | null {
  const nowMs = now.getTime()
  const from = new Date(nowMs - longestMs(event) - LAST_ZONE_OFFSET).toISOString()
  for (const horizon of HORIZONS) {
    const next = occurrencesOf(event, from, new Date(nowMs + horizon).toISOString()).find((occurrence) => endMsOf(occurrence, event.allDay) > nowMs)
    if (next) return msOfStored(next.start)
  }
  return null
}

/** When the last occurrence of a past event ended (ms), looked for in the year before `now`. */
function lastEndMs(event: EventState, now: Date): number | null {
  const nowMs = now.getTime()
  const ends = occurrencesOf(event, new Date(nowMs - LOOKBACK).toISOString(), now.toISOString())
    .map((occurrence) => endMsOf(occurrence, event.allDay))
    .filter((end) => end <= nowMs)
  return ends.length ? Math.max(...ends) : null
}

export interface FeedSelection<C extends FeedCandidate> {
  /** The feed's events, soonest first. */
  entries: C[]
  /**
   * When what the feed shows last changed: the newest change of any event it read (an
   * event listed, unlisted, edited or cancelled) and the newest end of a listed event that
   * left it by becoming past (the moment the feed lost it, and, with the limit, took in
   * the next one). A past event whose last occurrence ended more than a year ago counts
   * only by its change; null when there is nothing at all.
   */
  lastModified: Date | null
}

export function selectFeedEvents<C extends FeedCandidate>(candidates: C[], now: Date, limit = FEED_EVENT_LIMIT): FeedSelection<C> {
  const upcoming: { candidate: C; next: number }[] = []
  let newest = Number.NEGATIVE_INFINITY
  for (const candidate of candidates) {
    const changed = Date.parse(candidate.changedAt)
    if (Number.isFinite(changed)) newest = Math.max(newest, changed)
    if (!candidate.listed) continue
    const next = nextOccurrenceMs(candidate.event, now)
    if (next !== null) upcoming.push({ candidate, next })
    else newest = Math.max(newest, lastEndMs(candidate.event, now) ?? newest)
  }
  upcoming.sort((a, b) => a.next - b.next || a.candidate.event.uid.localeCompare(b.candidate.event.uid))
  return { entries: upcoming.slice(0, limit).map((u) => u.candidate), lastModified: Number.isFinite(newest) ? new Date(newest) : null }
}
