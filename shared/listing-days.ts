/**
 * A public list grouped by day in the visitor's time zone, with each event's time there and,
 * when the event was planned in another zone, its time in that zone beside it. Plain Intl
 * (no date library): the server renders it in one zone and the browser again in its own.
 */

export interface ListedTimes {
  start: string
  end: string | null
  allDay: boolean
  timezone: string | null
}

export interface DayGroup<T> {
  /** `YYYY-MM-DD` in the zone. */
  day: string
  /** The day in words (`Tuesday, 1 December 2026`). */
  label: string
  events: { event: T; time: string; ownZoneTime: string | null }[]
}

const LOCALE = 'en-GB'

// Making an Intl.DateTimeFormat costs far more than formatting with one (a list page would
// spend most of its time making them), so each is made once per zone and use.
const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(kind: 'day' | 'time' | 'label', zone: string): Intl.DateTimeFormat {
  const key = `${kind} ${zone}`
  let made = formatters.get(key)
  if (!made) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'day' ? { year: 'numeric', month: '2-digit', day: '2-digit' } : kind === 'time' ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
    made = new Intl.DateTimeFormat(kind === 'day' ? 'en-CA' : LOCALE, { timeZone: zone, ...options })
    formatters.set(key, made)
  }
  return made
}

/** Whether `zone` is a time zone Intl knows (an IANA name or `UTC`). */
export function isTimeZone(zone: string | null | undefined): zone is string {
  if (!zone) return false
  try {
    formatter('time', zone)
    return true
  } catch {
    return false
  }
}

/** The calendar day (`YYYY-MM-DD`) of an instant in `zone`. */
export function dayIn(instant: string, zone: string): string {
  const parts = formatter('day', zone).formatToParts(new Date(instant))
  const part = (type: string) => parts.find((p) => p.type === type)!.value
  return `${part('year')}-${part('month')}-${part('day')}`
}

const timeIn = (instant: string, zone: string) => formatter('time', zone).format(new Date(instant))

/** `Tuesday, 1 December 2026` for a `YYYY-MM-DD` day (a day has no zone). */
export function dayLabel(day: string): string {
  return formatter('label', 'UTC').format(new Date(`${day}T00:00:00Z`))
}

/** The zone's name as a visitor reads it: `America/New_York` → `America/New York`. */
const zoneName = (zone: string) => zone.replace(/_/g, ' ')

/**
 * The events by day in `zone`, days in order and events in the order given (soonest first).
 * An all-day event belongs to its own date wherever the visitor is; a timed one to the day
 * its start falls on in `zone`. `ownZoneTime` is set when the event's zone gives another
 * time of day than `zone` (`09:00 in Europe/London`), or another day (with the date).
 */
export function groupByDay<T extends ListedTimes>(events: T[], zone: string): DayGroup<T>[] {
  const groups = new Map<string, DayGroup<T>>()
  for (const event of events) {
    const day = event.allDay ? event.start.slice(0, 10) : dayIn(event.start, zone)
    let group = groups.get(day)
    if (!group) groups.set(day, (group = { day, label: dayLabel(day), events: [] }))
    const time = event.allDay ? 'All day' : `${timeIn(event.start, zone)}${event.end && event.end !== event.start ? `–${timeIn(event.end, zone)}` : ''}`
    let ownZoneTime: string | null = null
    if (!event.allDay && isTimeZone(event.timezone) && event.timezone !== zone) {
      const own = timeIn(event.start, event.timezone)
      const ownDay = dayIn(event.start, event.timezone)
      if (own !== timeIn(event.start, zone) || ownDay !== day) {
        ownZoneTime = `${own}${ownDay !== day ? ` on ${dayLabel(ownDay)}` : ''} in ${zoneName(event.timezone)}`
      }
    }
    group.events.push({ event, time, ownZoneTime })
  }
  return [...groups.values()].sort((a, b) => a.day.localeCompare(b.day))
}
