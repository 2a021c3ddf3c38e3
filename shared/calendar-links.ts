/**
 * "Add to calendar" links for one occurrence of an event: Google Calendar, Outlook.com,
 * Office 365 and Yahoo. A web link adds one occurrence only (none of these links carries a
 * series with its exceptions); the `.ics` download carries the whole series.
 *
 * calendar-link builds Google's link, which it gets right: UTC times `YYYYMMDDTHHMMSSZ`,
 * all-day dates with an exclusive end and no `ctz` (which breaks Google's Android app on
 * all-day links). Its rRule is not given: Google would repeat the UTC time across
 * daylight-saving changes and has no exceptions. The other links are built here, because
 * calendar-link writes them wrong:
 * - Outlook and Office 365: it writes `startdt`/`enddt` as wall-clock time in the zone of
 *   the process that runs it, without an offset, so the same link names another time on a
 *   server in UTC, a visitor's browser and Outlook; here timed events give instants with
 *   `Z`, and all-day events dates (end exclusive) with `allday=true`.
 * - Yahoo: it writes UTC times with `Z`, which Yahoo ignores (it has no zone parameter),
 *   so the event would land hours off; here timed events give the wall-clock time in the
 *   visitor's own zone, which is the zone Yahoo shows them.
 */
import { google } from 'calendar-link'

export interface CalendarLinkEvent {
  summary: string
  description: string | null
  location: string | null
  /** The event's public page, added to the description so the visitor finds it again. */
  pageUrl: string
  /** An instant (ISO, UTC) or, all-day, a date `YYYY-MM-DD`. */
  start: string
  /** As `start`; exclusive for all-day dates. Null: an hour for times, one day for dates. */
  end: string | null
  allDay: boolean
}

export interface CalendarLinks {
  google: string
  outlook: string
  office365: string
  yahoo: string
}

const DAY = 86_400_000
const HOUR = 3_600_000
/** Long descriptions (a video call's dial-in numbers) are cut: links past a few kB are refused. */
const DESCRIPTION_LIMIT = 1200

const dateOf = (value: string) => value.slice(0, 10)
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10)
const basicDate = (date: string) => date.replace(/-/g, '')

/** The description the links carry: the organizer's (cut when long) and the page's address. */
function detailsOf(event: CalendarLinkEvent): string {
  const text = (event.description ?? '').trim()
  const cut = text.length > DESCRIPTION_LIMIT ? `${text.slice(0, DESCRIPTION_LIMIT).trimEnd()}…` : text
  return cut ? `${cut}\n\n${event.pageUrl}` : event.pageUrl
}

/** Start and end as the links use them: dates (end exclusive) or instants in ms. */
function timesOf(event: CalendarLinkEvent): { allDay: true; start: string; end: string } | { allDay: false; start: number; end: number } {
  if (event.allDay) {
    const start = dateOf(event.start)
    const end = event.end && dateOf(event.end) > start ? dateOf(event.end) : nextDay(start)
    return { allDay: true, start, end }
  }
  const start = Date.parse(event.start)
  const end = event.end ? Date.parse(event.end) : Number.NaN
  return { allDay: false, start, end: Number.isFinite(end) && end >= start ? end : start + HOUR }
}

/** A time's wall-clock in a zone as `YYYYMMDDTHHMMSS` (no zone: Yahoo reads it as its own). */
export function wallClockText(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  )
  return `${parts.year}${parts.month}${parts.day}T${parts.hour}${parts.minute}${parts.second}`
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString().replace(/\+/g, '%20')

function outlookLink(base: string, event: CalendarLinkEvent): string {
  const times = timesOf(event)
  return `${base}?${query({
    subject: event.summary,
    startdt: times.allDay ? times.start : new Date(times.start).toISOString(),
    enddt: times.allDay ? times.end : new Date(times.end).toISOString(),
    allday: String(times.allDay),
    body: detailsOf(event),
    ...(event.location ? { location: event.location } : {}),
  })}`
}

function yahooLink(event: CalendarLinkEvent, visitorZone: string): string {
  const times = timesOf(event)
  return `https://calendar.yahoo.com/?${query({
    v: '60',
    title: event.summary,
    st: times.allDay ? basicDate(times.start) : wallClockText(times.start, visitorZone),
    et: times.allDay ? basicDate(times.end) : wallClockText(times.end, visitorZone),
    ...(times.allDay ? { dur: 'allday' } : {}),
    desc: detailsOf(event),
    ...(event.location ? { in_loc: event.location } : {}),
  })}`
}

/** The links for one occurrence; `visitorZone` (IANA) is the zone Yahoo will show it in. */
export function calendarLinksOf(event: CalendarLinkEvent, visitorZone: string): CalendarLinks {
  const times = timesOf(event)
  return {
    google: google({
      title: event.summary,
      description: detailsOf(event),
      location: event.location ?? undefined,
      ...(times.allDay
        ? { start: times.start, end: times.end, allDay: true }
        : { start: new Date(times.start).toISOString(), end: new Date(times.end).toISOString() }),
    }),
    outlook: outlookLink('https://outlook.live.com/calendar/0/action/compose', event),
    office365: outlookLink('https://outlook.office.com/calendar/0/action/compose', event),
    yahoo: yahooLink(event, visitorZone),
  }
}
