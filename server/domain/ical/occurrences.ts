/**
 * The occurrences of a stored event: DTSTART's wall-clock time repeated by the RRULE in the
 * organizer's zone (so a series that starts in a DST gap keeps its time of day), RDATEs
 * added, EXDATEs removed, overrides in place of the instances they replace. ical.js
 * iterates the rule on the wall-clock; zone.ts places each occurrence.
 */
import ICAL from 'ical.js'
import type { EventState, InstanceState } from '../itip/event-state'
import { UTC_ZONE, instantOf, isoInstant, msOfStored, wallClockIn, wallClockOfIso, wallClockOfTime, zoneOfStored, type WallClock, type Zone } from './zone'

export type SeriesTimes = Pick<EventState, 'start' | 'end' | 'allDay' | 'rrule' | 'rdates' | 'exdates'> &
  Partial<Pick<EventState, 'timezone' | 'tzid' | 'startLocal' | 'vtimezone' | 'status'>> & {
    instances?: Record<string, Pick<InstanceState, 'start' | 'end' | 'status'>>
  }

export interface Occurrence {
  /** ISO UTC for times, `YYYY-MM-DD` for all-day events (the end exclusive). */
  start: string
  end: string
  /** The RECURRENCE-ID of the override it comes from, or null. */
  recurrenceId: string | null
  status: 'CANCELLED' | null
}

const DAY = 86_400_000
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
/** On an all-day series every value is its date. */
const msOf = (value: string, allDay: boolean) => msOfStored(allDay ? value.slice(0, 10) : value)

const timeOfWallClock = (w: WallClock, isDate: boolean) =>
  ICAL.Time.fromData({ year: w.year, month: w.month, day: w.day, hour: isDate ? 0 : w.hour, minute: isDate ? 0 : w.minute, second: isDate ? 0 : w.second, isDate })

/**
 * The recurrence rule to iterate on wall-clock (floating) times: UNTIL, which RFC 5545
 * gives in UTC for a zoned DTSTART, becomes the wall-clock time it is in the zone.
 */
function wallClockRule(rrule: string, zone: Zone, allDay: boolean): ICAL.Recur {
  const recur = ICAL.Recur.fromString(rrule.replace(/^RRULE:/i, ''))
  const until = recur.until
  if (until) {
    if (allDay) recur.until = timeOfWallClock(wallClockOfTime(until), true)
    else if (until.isDate) recur.until = ICAL.Time.fromData({ ...wallClockOfTime(until), hour: 23, minute: 59, second: 59, isDate: false })
    else if (until.zone === ICAL.Timezone.utcTimezone) recur.until = timeOfWallClock(wallClockIn(until.toUnixTime() * 1000, zone), false)
    else recur.until = timeOfWallClock(wallClockOfTime(until), false)
  }
  return recur
}

/**
 * Every occurrence that starts in [from, to] (ISO instants or dates), at most `limit`.
 * Cancelled ones (overrides, or all of a cancelled event) are listed with their status, so
 * callers decide whether they count.
 */
export function occurrencesOf(series: SeriesTimes, from: string, to: string, limit = 5000): Occurrence[] {
  const allDay = series.allDay
  const zone = series.startLocal ? zoneOfStored(series) : UTC_ZONE
  const startMs = msOf(series.start, allDay)
  const duration = series.end ? msOf(series.end, allDay) - startMs : allDay ? DAY : 0
  const fromMs = msOf(from, allDay || from.length === 10)
  const toMs = to.length === 10 ? msOf(to, true) + DAY - 1 : Date.parse(to)
  const format = allDay ? isoDay : isoInstant

  const starts = new Set<number>()
  const ends = new Map<number, number>()
  const startWall = allDay ? wallClockIn(startMs, UTC_ZONE) : series.startLocal ? wallClockOfIso(series.startLocal) : wallClockIn(startMs, zone)
  if (series.rrule) {
    try {
      const iterator = wallClockRule(series.rrule, zone, allDay).iterator(timeOfWallClock(startWall, allDay))
      for (let next = iterator.next(), count = 0; next && count < limit * 4; next = iterator.next(), count++) {
        const at = allDay ? msOf(next.toString().slice(0, 10), true) : instantOf(wallClockOfTime(next), zone)
        if (at > toMs) break
        starts.add(at)
      }
    } catch {
      // ical.js stops a rule whose next occurrence is past the times it can hold (YEARLY;INTERVAL=2147483647
      // throws "Same occurrence found twice"): there are no more occurrences to list, the ones found stand.
    }
  }
  // DTSTART is the first occurrence even where the rule would not produce it (RFC 5545 §3.8.5.3).
  starts.add(series.startLocal && !allDay ? instantOf(startWall, zone) : startMs)
  for (const rdate of series.rdates) {
    const [start, end] = rdate.split('/')
    const at = msOf(start!, allDay)
    starts.add(at)
    if (end) ends.set(at, msOf(end, allDay))
  }
  for (const exdate of series.exdates) starts.delete(msOf(exdate, allDay))

  const overrides = new Map(Object.entries(series.instances ?? {}).map(([rid, instance]) => [msOf(rid, allDay), { rid, instance }]))
  const occurrences: Occurrence[] = []
  // A cancelled event keeps its occurrences, each cancelled, as a calendar shows them.
  const seriesCancelled = series.status === 'CANCELLED'
  for (const at of [...starts].sort((a, b) => a - b)) {
    const override = overrides.get(at)
    if (override) {
      const start = override.instance.start ? msOf(override.instance.start, allDay) : at
      const end = override.instance.end ? msOf(override.instance.end, allDay) : start + duration
      const cancelled = seriesCancelled || override.instance.status === 'CANCELLED'
      occurrences.push({ start: format(start), end: format(end), recurrenceId: override.rid, status: cancelled ? 'CANCELLED' : null })
      continue
    }
    occurrences.push({ start: format(at), end: format(ends.get(at) ?? at + duration), recurrenceId: null, status: seriesCancelled ? 'CANCELLED' : null })
  }
  return occurrences
    .filter((o) => msOf(o.start, allDay) >= fromMs && msOf(o.start, allDay) <= toMs)
    .sort((a, b) => msOf(a.start, allDay) - msOf(b.start, allDay))
    .slice(0, limit)
}
