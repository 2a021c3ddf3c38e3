/**
 * Time zones as a calendar message defines them: the instant a wall-clock time written with
 * a TZID stands for, and back. RFC 5545 (§3.2.19) makes the message's own
 * VTIMEZONE the authority for its TZIDs, whatever they are called (Lotus Notes writes
 * `Eastern`, Exchange's CDO `(GMT+01.00) Sarajevo/Warsaw/Zagreb`); Windows and legacy
 * display names map through CLDR, IANA names through the runtime's ICU data.
 *
 * VTIMEZONE rules are expanded with ical.js (its RRULE iterator); the offset at an instant
 * and the instant of a wall-clock time are computed here, because ical.js's own
 * `Timezone.utcOffset` reads a time in a spring-forward gap with the later offset, a time
 * in an autumn fold with the later one, and any time before the first observance as UTC,
 * where RFC 5545 §3.3.5 asks for the offset before the gap, the first of the two readings,
 * and (by the observance's TZOFFSETFROM) the offset in force before it.
 */
import ICAL from 'ical.js'
import { isKnownZone, offsetMinutes, type WallClock } from '../invite/vtimezone'
import { ianaTimezone } from './timezones'

export type { WallClock }

/** How a TZID was understood. */
export type ZoneSource = 'utc' | 'floating' | 'vtimezone' | 'iana' | 'unknown'

export interface Zone {
  /** The TZID as the message wrote it (null for UTC and floating times). */
  tzid: string | null
  /** The IANA name the TZID maps to (Windows and display names through CLDR), or null. */
  iana: string | null
  source: ZoneSource
  /** UTC offset in minutes (east positive) in force at an instant. */
  offsetAt(ms: number): number
}

const MINUTE = 60_000
const DAY = 86_400_000

export const UTC_ZONE: Zone = { tzid: null, iana: null, source: 'utc', offsetAt: () => 0 }
/** Floating times mean the same wall-clock everywhere; they are placed as if UTC so they sort. */
export const FLOATING_ZONE: Zone = { tzid: null, iana: null, source: 'floating', offsetAt: () => 0 }

export const wallClockMs = (w: WallClock): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)

export function wallClockOfMs(ms: number): WallClock {
  const d = new Date(ms)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  }
}

/**
 * The instant a wall-clock time stands for in a zone. In a fold (the hour an autumn change
 * repeats) the first reading; in a gap (the hour spring skips) the offset from before the
 * gap, so 02:30 on a spring-forward day is 03:30 of the new offset (RFC 5545 §3.3.5).
 */
export function instantOf(wall: WallClock, zone: Zone): number {
  const local = wallClockMs(wall)
  const before = zone.offsetAt(local - DAY)
  const after = zone.offsetAt(local + DAY)
  const readings = [...new Set([before, after])]
    .map((offset) => local - offset * MINUTE)
    .filter((ms) => zone.offsetAt(ms) * MINUTE === local - ms)
  return readings.length ? Math.min(...readings) : local - before * MINUTE
}

/** The wall-clock time of an instant in a zone. */
export const wallClockIn = (ms: number, zone: Zone): WallClock => wallClockOfMs(ms + zone.offsetAt(ms) * MINUTE)

export function ianaZone(name: string, tzid: string | null = name): Zone {
  return { tzid, iana: name, source: 'iana', offsetAt: (ms) => offsetMinutes(name, ms) }
}

/** Twelve a year from 1601 to 2400: more than any real zone has. */
const MAX_ONSETS = 12 * 800

interface Onset {
  /** The instant the observance begins (UTC ms). */
  at: number
  from: number
  to: number
}

/** The onsets of one STANDARD or DAYLIGHT observance, its RRULE expanded lazily. */
class Observance {
  private readonly from: number
  private readonly to: number
  private readonly iterator: ICAL.RecurIterator | null
  /** The last instant the RRULE may start an onset (its UNTIL), when it has one. */
  private readonly untilMs: number | null
  /** DTSTART and RDATE onsets, then the RRULE's as far as expanded. */
  private readonly fixed: Onset[]
  private readonly ruled: Onset[] = []
  private done: boolean

  constructor(component: ICAL.Component) {
    this.from = offsetOf(component.getFirstPropertyValue('tzoffsetfrom'))
    this.to = offsetOf(component.getFirstPropertyValue('tzoffsetto'))
    const start = component.getFirstPropertyValue('dtstart') as ICAL.Time | null
    if (!start) throw new Error('an observance has no DTSTART')
    // Onsets are written in the local time in force before them (TZOFFSETFROM).
    const locals = new Set([localOfTime(start)])
    for (const property of component.getAllProperties('rdate')) {
      for (const value of property.getValues() as (ICAL.Time | ICAL.Period)[]) {
        locals.add(localOfTime(value instanceof ICAL.Period ? value.start : value))
      }
    }
    this.fixed = [...locals].sort((a, b) => a - b).map((local) => this.onsetAt(local))
    const rrule = component.getFirstPropertyValue('rrule') as ICAL.Recur | null
    if (rrule) {
      // Clocks change at most a few times a year; a rule that changes them every second from
      // 1601 on would take hours to expand (a message is untrusted input).
      if (rrule.freq !== 'YEARLY' && rrule.freq !== 'MONTHLY') throw new Error(`an observance repeats ${rrule.freq}, not yearly or monthly`)
      const recur = rrule.clone()
      // UNTIL is in UTC (RFC 5545 §3.6.5); a floating one is read in the offset before the onset.
      const until = recur.until
      this.untilMs = until ? localOfTime(until) - (until.zone === ICAL.Timezone.utcTimezone ? 0 : this.from * MINUTE) : null
      recur.until = null
      this.iterator = recur.iterator(ICAL.Time.fromData({ ...wallClockOfTime(start), isDate: false }))
      this.done = false
    } else {
      this.iterator = null
      this.untilMs = null
      this.done = true
    }
  }

  private onsetAt(local: number): Onset {
    return { at: local - this.from * MINUTE, from: this.from, to: this.to }
  }

  get onsets(): Onset[] {
    return this.ruled.length ? [...this.fixed, ...this.ruled] : this.fixed
  }

  /** Expands the rule until its onsets pass `ms` (or the rule ends, or has given MAX_ONSETS). */
  cover(ms: number): void {
    while (!this.done && !((this.ruled.at(-1)?.at ?? -Infinity) > ms)) {
      if (this.ruled.length >= MAX_ONSETS) {
        this.done = true
        return
      }
      const next = this.iterator!.next()
      const onset = next ? this.onsetAt(localOfTime(next)) : null
      if (!onset || (this.untilMs !== null && onset.at > this.untilMs)) this.done = true
      else this.ruled.push(onset)
    }
  }
}

const offsetOf = (value: unknown): number => {
  if (value instanceof ICAL.UtcOffset) return Math.round(value.toSeconds() / 60)
  const match = /^([+-])(\d\d)(\d\d)(\d\d)?$/.exec(String(value ?? '').trim())
  if (!match) throw new Error(`an observance has no readable UTC offset (${String(value)})`)
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]))
}

/** An ical.js time's fields, without its zone. */
export const wallClockOfTime = (time: ICAL.Time): WallClock => ({
  year: time.year,
  month: time.month,
  day: time.day,
  hour: time.hour,
  minute: time.minute,
  second: time.second,
})

/** A stored wall-clock time (`2026-03-08T02:30:00`, as `startLocal` keeps it) as its fields. */
export function wallClockOfIso(local: string): WallClock {
  const [date, time = '00:00:00'] = local.split('T')
  const [year, month, day] = date!.split('-').map(Number)
  const [hour, minute, second] = time.split(':').map(Number)
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second ?? 0 }
}

/** A stored time as milliseconds: an ISO instant, or a `YYYY-MM-DD` date at UTC midnight. */
export const msOfStored = (value: string): number => Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)

/** An instant as the server stores it: ISO 8601 UTC, whole seconds (`2026-03-08T07:30:00Z`). */
export const isoInstant = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, 'Z')

/** A time's fields read as if UTC (its wall-clock, as a number). */
const localOfTime = (time: ICAL.Time): number => wallClockMs(wallClockOfTime(time))

/**
 * A zone defined by a VTIMEZONE: the offset at an instant is the TZOFFSETTO of the latest
 * onset at or before it; before every onset, the TZOFFSETFROM of the first.
 */
export function vtimezoneZone(component: ICAL.Component, tzid: string): Zone {
  const observances = component
    .getAllSubcomponents()
    .filter((c) => c.name === 'standard' || c.name === 'daylight')
    .map((c) => new Observance(c))
  if (observances.length === 0) throw new Error(`the VTIMEZONE ${tzid} has no STANDARD or DAYLIGHT observance`)
  let onsets: Onset[] = []
  let coveredTo = -Infinity
  const cover = (ms: number) => {
    if (ms <= coveredTo) return
    // Whole years at a time, so a run of instants in one year expands the rules once.
    const through = Date.UTC(new Date(ms).getUTCFullYear() + 2, 0, 1)
    for (const observance of observances) observance.cover(through)
    onsets = observances.flatMap((o) => o.onsets).sort((a, b) => a.at - b.at)
    coveredTo = through - 366 * DAY
  }
  return {
    tzid,
    iana: ianaTimezone(tzid),
    source: 'vtimezone',
    offsetAt(ms) {
      cover(ms)
      let low = 0
      let high = onsets.length - 1
      if (high < 0 || ms < onsets[0]!.at) return onsets[0]?.from ?? 0
      while (low < high) {
        const middle = (low + high + 1) >> 1
        if (onsets[middle]!.at <= ms) low = middle
        else high = middle - 1
      }
      return onsets[low]!.to
    },
  }
}

/**
 * Zones parsed from VTIMEZONE texts, kept by text: Outlook's 1601-based rules take a few
 * hundred iterations to reach the present, and a mailbox sees the same few zones again and
 * again. The key is the whole text, so two messages that call different rules by one name
 * never share a zone.
 */
const parsedZones = new Map<string, Zone>()
const PARSED_ZONES_KEPT = 500

export function zoneOfVtimezoneText(text: string, tzid: string): Zone {
  const key = `${tzid}\n${text}`
  let zone = parsedZones.get(key)
  if (!zone) {
    const parsed = new ICAL.Component(ICAL.parse(text))
    const component = parsed.name === 'vtimezone' ? parsed : parsed.getFirstSubcomponent('vtimezone')
    if (!component) throw new Error(`no VTIMEZONE for ${tzid}`)
    zone = vtimezoneZone(component, tzid)
    if (parsedZones.size >= PARSED_ZONES_KEPT) parsedZones.delete(parsedZones.keys().next().value!)
    parsedZones.set(key, zone)
  }
  return zone
}

/** A TZID as a key: quotes and TEXT escapes (`\,` in CDO's VTIMEZONE TZIDs) removed. */
export const cleanTzid = (tzid: string): string =>
  tzid
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/\\([,;\\])/g, '$1')
    .trim()

const isUtcName = (tzid: string) => /^(Etc\/)?(UTC|GMT|Z|Zulu|Universal|Coordinated Universal Time)$/i.test(tzid)

/**
 * The zone a TZID names, in this order: the message's own VTIMEZONE, then
 * Windows and legacy display names through CLDR, then IANA names. A TZID none of these
 * resolves comes back as `unknown` (read as UTC, the same way every time), for the caller
 * to warn about.
 */
export function resolveZone(rawTzid: string, vtimezones: ReadonlyMap<string, string>): Zone {
  const tzid = cleanTzid(rawTzid)
  const vtimezone = vtimezones.get(tzid)
  if (vtimezone) {
    try {
      return zoneOfVtimezoneText(vtimezone, tzid)
    } catch {
      // A VTIMEZONE that cannot be evaluated (no observance, unreadable offsets) says nothing:
      // the name alone decides below.
    }
  }
  if (isUtcName(tzid)) return { ...UTC_ZONE, tzid }
  const iana = ianaTimezone(tzid)
  if (iana && isKnownZone(iana)) return ianaZone(iana, tzid)
  return { tzid, iana: null, source: 'unknown', offsetAt: () => 0 }
}

/** The zone of stored times: the VTIMEZONE the organizer's message carried, else the names. */
export function zoneOfStored(stored: { tzid?: string | null; timezone?: string | null; vtimezone?: string | null }): Zone {
  const tzid = stored.tzid ?? stored.timezone ?? null
  if (!tzid) return UTC_ZONE
  return resolveZone(tzid, new Map(stored.vtimezone ? [[cleanTzid(tzid), stored.vtimezone]] : []))
}
