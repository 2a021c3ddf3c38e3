/**
 * VTIMEZONE components (RFC 5545 §3.6.5) generated from the time zone data the runtime
 * already carries (ICU behind Intl, updated with Node), so no zone database is shipped.
 *
 * The offsets of a zone are sampled over the years an event needs, every transition is
 * found to the minute, and transitions that follow a yearly rule ("last Sunday of March at
 * 02:00") become one DAYLIGHT and one STANDARD observance with an RRULE, the shape Outlook,
 * Google and Apple all read (and the one tzurl.org publishes). Years whose transitions
 * follow no such rule (a zone that changed its rules) are written as single onsets before
 * the rule takes over. A zone without transitions is one STANDARD observance.
 */

export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(zone, formatter)
  }
  return formatter
}

/** Whether Intl knows the zone by this IANA name. */
export function isKnownZone(zone: string): boolean {
  if (!/^[A-Za-z]/.test(zone)) return false
  try {
    formatterOf(zone)
    return true
  } catch {
    return false
  }
}

/** The wall-clock time of an instant in a zone (seconds precision). */
export function wallClock(zone: string, ms: number): WallClock {
  const parts = formatterOf(zone).formatToParts(new Date(Math.floor(ms / 1000) * 1000))
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value)
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') }
}

/** UTC offset of a zone at an instant, in minutes (east positive). */
export function offsetMinutes(zone: string, ms: number): number {
  const w = wallClock(zone, ms)
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000)
}

interface Transition {
  /** The instant of the change (UTC ms, on a whole minute). */
  at: number
  from: number
  to: number
}

const DAY = 86_400_000
const STEP = 7 * DAY

/** Every offset change in [from, to), found to the minute. */
function transitions(zone: string, from: number, to: number): Transition[] {
  const found: Transition[] = []
  let previous = offsetMinutes(zone, from)
  for (let t = from; t < to; t += STEP) {
    const next = Math.min(t + STEP, to)
    const offset = offsetMinutes(zone, next)
    if (offset === previous) continue
    // Binary search the minute the offset changes.
    let lo = t
    let hi = next
    while (hi - lo > 60_000) {
      const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000
      if (mid <= lo) break
      if (offsetMinutes(zone, mid) === previous) lo = mid
      else hi = mid
    }
    found.push({ at: hi, from: previous, to: offset })
    previous = offset
  }
  return found
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0')
const offsetText = (minutes: number) => `${minutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA']

/** The onset as the observance states it: local time in the offset in force before it. */
function onsetOf(t: Transition) {
  const local = new Date(t.at + t.from * 60_000)
  const year = local.getUTCFullYear()
  const month = local.getUTCMonth() + 1
  const day = local.getUTCDate()
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return {
    year,
    month,
    day,
    weekday: local.getUTCDay(),
    time: `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}`,
    nth: Math.ceil(day / 7),
    last: day + 7 > daysInMonth,
    dtstart: `${pad(year, 4)}${pad(month)}${pad(day)}T${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}`,
  }
}

type Onset = ReturnType<typeof onsetOf>

/** The yearly rule shared by every onset of one kind, or null when they follow none. */
function yearlyRule(onsets: Onset[]): string | null {
  const first = onsets[0]!
  const same = onsets.every((o) => o.month === first.month && o.weekday === first.weekday && o.time === first.time)
  if (!same) return null
  const base = `FREQ=YEARLY;BYMONTH=${first.month};BYDAY=`
  const day = WEEKDAYS[first.weekday]!
  if (onsets.every((o) => o.last)) return `${base}-1${day}`
  if (first.nth <= 4 && onsets.every((o) => o.nth === first.nth)) return `${base}${first.nth}${day}`
  // "the weekday on or after the Nth" (e.g. Israel's Friday before the last Sunday).
  const earliest = Math.min(...onsets.map((o) => o.day))
  if (onsets.every((o) => o.day < earliest + 7)) {
    const days = Array.from({ length: 7 }, (_, i) => earliest + i).filter((d) => d <= 31)
    return `FREQ=YEARLY;BYMONTH=${first.month};BYMONTHDAY=${days.join(',')};BYDAY=${day}`
  }
  return null
}

const kindOf = (t: Transition, standardOffset: number) => (t.to > standardOffset ? 'DAYLIGHT' : 'STANDARD')

function observance(kind: string, t: Transition, onset: Onset, rrule: string | null, name: string | null): string[] {
  return [
    `BEGIN:${kind}`,
    `DTSTART:${onset.dtstart}`,
    `TZOFFSETFROM:${offsetText(t.from)}`,
    `TZOFFSETTO:${offsetText(t.to)}`,
    ...(rrule ? [`RRULE:${rrule}`] : []),
    ...(name ? [`TZNAME:${name}`] : []),
    `END:${kind}`,
  ]
}

const abbreviations = new Map<string, Intl.DateTimeFormat>()
/** A short name like CET or PDT when Intl has one (not "GMT+1"). */
function abbreviation(zone: string, ms: number): string | null {
  let formatter = abbreviations.get(zone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' })
    abbreviations.set(zone, formatter)
  }
  const name = formatter.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? ''
  return /^[A-Z]{2,6}$/.test(name) ? name : null
}

const cache = new Map<string, string[]>()

/**
 * The VTIMEZONE lines (unfolded) for an IANA zone, valid for times from `from` on. The
 * yearly rule found is stated from the year before `from` and, like every client's own
 * zone data, holds for later years; `through` is the last time the event uses explicitly
 * (its rule is checked at least that far). Returns null for a zone Intl does not know.
 */
export function buildVtimezone(zone: string, from: number, through: number = from): string[] | null {
  if (!isKnownZone(zone)) return null
  const firstYear = new Date(from).getUTCFullYear() - 1
  // Twelve years show every alignment of weekdays and dates, so "the last Sunday" and "the
  // fourth Sunday" (or Israel's "Friday before the last Sunday") cannot be mistaken.
  const lastYear = Math.max(new Date(through).getUTCFullYear(), firstYear + 11) + 1
  const key = `${zone}|${firstYear}|${lastYear}`
  const cached = cache.get(key)
  if (cached) return cached

  const start = Date.UTC(firstYear, 0, 1)
  const end = Date.UTC(lastYear + 1, 0, 1)
  const changes = transitions(zone, start, end)
  const lines = [`BEGIN:VTIMEZONE`, `TZID:${zone}`]
  if (!changes.length) {
    const offset = offsetMinutes(zone, start)
    lines.push(...observance('STANDARD', { at: 0, from: offset, to: offset }, { dtstart: '19700101T000000' } as Onset, null, abbreviation(zone, start)))
  } else {
    const standardOffset = Math.min(...changes.map((t) => t.to), changes[0]!.from)
    // A zone that changed nothing in the year before `from` (Egypt before April 2023) starts
    // with the offset then in force, so the first times of the event have an observance too.
    if (changes[0]!.at > from) {
      const offset = changes[0]!.from
      lines.push(...observance(offset > standardOffset ? 'DAYLIGHT' : 'STANDARD', { at: 0, from: offset, to: offset }, { dtstart: '19700101T000000' } as Onset, null, abbreviation(zone, from)))
    }
    // The longest run of final years whose transitions follow one yearly rule per kind.
    const withOnsets = changes.map((t) => ({ t, onset: onsetOf(t), kind: kindOf(t, standardOffset) }))
    let ruled: { rules: Map<string, string>; from: number } | null = null
    for (let year = firstYear; year <= lastYear - 7 && !ruled; year++) {
      const tail = withOnsets.filter((c) => c.onset.year >= year)
      const kinds = new Map<string, typeof tail>()
      for (const c of tail) kinds.set(`${c.kind}|${c.t.from}|${c.t.to}`, [...(kinds.get(`${c.kind}|${c.t.from}|${c.t.to}`) ?? []), c])
      const years = lastYear - year + 1
      const rules = new Map<string, string>()
      for (const [k, list] of kinds) {
        const rule = list.length === years ? yearlyRule(list.map((c) => c.onset)) : null
        if (rule) rules.set(k, rule)
      }
      if (kinds.size === 2 && rules.size === 2) ruled = { rules, from: year }
    }
    for (const c of withOnsets) {
      const k = `${c.kind}|${c.t.from}|${c.t.to}`
      if (ruled && c.onset.year >= ruled.from) {
        // The first onset of each rule states the rule; later ones follow from it.
        if (c.onset.year === ruled.from) lines.push(...observance(c.kind, c.t, c.onset, ruled.rules.get(k)!, abbreviation(zone, c.t.at)))
      } else {
        lines.push(...observance(c.kind, c.t, c.onset, null, abbreviation(zone, c.t.at)))
      }
    }
  }
  lines.push('END:VTIMEZONE')
  cache.set(key, lines)
  return lines
}
