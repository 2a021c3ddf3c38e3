/**
 * When an event is, in words, with the runtime's Intl (no date library is needed for
 * formatting in a named zone): timed events in a given zone, all-day events as dates (the
 * stored end is exclusive, so the last day shown is the day before it).
 */
export interface Span {
  /** An instant (ISO) or, all-day, a date `YYYY-MM-DD`. */
  start: string
  end: string | null
  allDay: boolean
}

const DAY = 86_400_000
const dateOnly = (value: string) => new Date(`${value.slice(0, 10)}T00:00:00Z`)

/** The zone's name if the runtime knows it, else UTC (a stored zone the runtime lacks must not break the page). */
export function knownZone(zone: string | null | undefined): string {
  if (!zone) return 'UTC'
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return zone
  } catch {
    return 'UTC'
  }
}

/** An all-day span as dates: "Wed, Mar 10, 2027", or "Wed, Mar 10 – Fri, Mar 12, 2027" (the last day included). */
function datesInWords(span: Span): string {
  const first = dateOnly(span.start)
  const last = span.end ? new Date(dateOnly(span.end).getTime() - DAY) : first
  const format = new Intl.DateTimeFormat('en', { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
  return last.getTime() > first.getTime() ? format.formatRange(first, last) : format.format(first)
}

/** A timed span in `timeZone`: "Wed, Mar 10, 2027, 5:00 – 6:00 PM UTC". */
function timesInWords(span: Span, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en', { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' })
  const start = new Date(span.start)
  const end = span.end ? new Date(span.end) : null
  if (Number.isNaN(start.getTime())) return span.start
  return end && end.getTime() > start.getTime() ? format.formatRange(start, end) : format.format(start)
}

/** The span in words: dates for all-day events (the same in every zone), else times in `timeZone`. */
export function whenInWords(span: Span, timeZone: string): string {
  return span.allDay ? datesInWords(span) : timesInWords(span, knownZone(timeZone))
}

/** `hour` and `minute` only, or with the day as well: the parts of a time the event's own zone adds beside another. */
function clockInWords(span: Span, timeZone: string, withDay: boolean): string {
  const format = new Intl.DateTimeFormat('en', { ...(withDay ? { weekday: 'short', month: 'short', day: 'numeric' } : {}), hour: 'numeric', minute: '2-digit', timeZone })
  const start = new Date(span.start)
  const end = span.end ? new Date(span.end) : null
  return end && end.getTime() > start.getTime() ? format.formatRange(start, end) : format.format(start)
}

const dayOf = (instant: string, timeZone: string) => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(new Date(instant))

/**
 * The timed span as the event's own zone reads it, beside the same span shown in `shownZone`:
 * "3:00 – 4:00 PM in Europe/Paris", with the day when it falls on another day there. Null for
 * all-day events, and when both zones give the same clock time (the same zone, or zones at the
 * same offset then), as there is nothing to add.
 */
export function inEventZoneWords(span: Span, shownZone: string, eventZone: string | null | undefined): string | null {
  if (span.allDay || !eventZone || Number.isNaN(new Date(span.start).getTime())) return null
  const own = knownZone(eventZone)
  const shown = knownZone(shownZone)
  if (own === shown) return null
  const otherDay = dayOf(span.start, own) !== dayOf(span.start, shown)
  const text = clockInWords(span, own, otherDay)
  if (!otherDay && text === clockInWords(span, shown, false)) return null
  return `${text} in ${own.replace(/_/g, ' ')}`
}
