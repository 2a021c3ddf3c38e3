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
