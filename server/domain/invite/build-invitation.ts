/**
 * The iCalendar invitation the server sends for a stored event, to one recipient per
 * message, built with ical-generator:
 * - METHOD:REQUEST (or CANCEL with STATUS:CANCELLED), the event's UID, the SEQUENCE the
 *   caller gives, a fresh DTSTAMP;
 * - ORGANIZER is the server's rsvp@ mailbox, with the real organizer's name as CN, so
 *   replies come back to the server;
 * - exactly one ATTENDEE, the recipient: PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT
 *   (the CANCEL names the attendee without asking for an answer);
 * - a series as the organizer set it: RRULE, EXDATE (cancelled occurrences
 *   included), RDATE (dates, times, periods), one VEVENT with RECURRENCE-ID per changed
 *   occurrence, TRANSP.
 *
 * Times: a single event is written in UTC, which every client places correctly. A series
 * is written in its zone, as wall-clock time with a TZID and a VTIMEZONE: in UTC, a weekly
 * 09:00 meeting would move to 08:00 or 10:00 in the attendee's calendar after a
 * daylight-saving change. DTSTART keeps the organizer's own wall-clock time, so a series
 * that starts in a DST gap keeps its time of day. The zone is the IANA one the TZID names
 * (VTIMEZONE generated from the runtime's data, vtimezone.ts), else the organizer's own
 * VTIMEZONE as received (Lotus Notes' `Eastern`, an Outlook "Customized Time Zone").
 * All-day events use DATE values throughout.
 *
 * What ical-generator is given, and why: wall-clock times as a Luxon-shaped value (its
 * documented stub), since it formats a plain Date in the process's own zone; RRULE, EXDATE
 * and RDATE as its raw `repeating` text, which it writes as given (it has no RDATE, and
 * its EXDATE follows its own zone handling); and an all-day override's RECURRENCE-ID the
 * same way, because ical-generator writes RECURRENCE-ID only as a DATE-TIME, which on an
 * all-day series names another day and the wrong value type (RFC 5545 §3.8.4.4). The one
 * line written by hand: ical-generator puts "RRULE:" before a `repeating` text of one line
 * that is not an RRULE, so that prefix is taken off again (tests in build-invitation.test.ts:
 * "writes an all-day series with DATE values and no zone" and "writes a series of RDATEs
 * only").
 *
 * The calendar of one (event, method, SEQUENCE) is built once; each recipient's copy sets
 * only its ATTENDEE and DTSTAMP on it. An event's VEVENTs are written by addEventComponents,
 * which the public feeds (domain/feed) and the public page's `.ics` (buildPublishedCalendar:
 * METHOD:PUBLISH, no ORGANIZER, no ATTENDEE) use too, so they and an invitation write the
 * same times the same way.
 */
import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
  ICalEventTransparency,
  type ICalCalendar,
  type ICalEvent,
  type ICalLuxonDateTimeStub,
} from 'ical-generator'
import type { EventState, InstanceState } from '../itip/event-state'
import type { Person } from '../scheduling'
import { cleanTzid, ianaZone, instantOf, msOfStored, wallClockIn, wallClockOfIso, zoneOfStored, type WallClock, type Zone } from '../ical/zone'
import { buildVtimezone, isKnownZone } from './vtimezone'
import { isMailAddress } from '../mail/address'

export type InvitationMethod = 'REQUEST' | 'CANCEL'

export interface CalendarOptions {
  method: InvitationMethod
  /** Raised on every update sent; at least the organizer's own SEQUENCE. */
  sequence: number
  /** The server's rsvp@ mailbox: ORGANIZER, so replies come back to the server. */
  organizerMailbox: string
}

/** An event's invitation with the recipient left open. */
export interface InvitationCalendar {
  readonly method: InvitationMethod
  /** The TZID times are written in, or null for UTC and DATE values. */
  readonly timezone: string | null
  /** The calendar for one recipient: CRLF, folded, ending with CRLF. */
  render(recipient: Person, now: Date): string
}

export const PRODID = { company: 'Calendar Invite Server', product: 'Invitations', language: 'EN' }

function checkAddress(value: string, what: string): string {
  if (!isMailAddress(value)) throw new RangeError(`The ${what} "${value.replace(/[\u0000-\u001f\u007f]/g, '?')}" is not a mail address.`)
  return value
}

/**
 * The text a quoted parameter (CN) can carry: a quoted-string holds neither DQUOTE nor
 * control characters and has no escape every client reads (RFC 6868's `^'` is not), so `"`
 * becomes `'` and control characters become spaces ('' when nothing is left).
 */
const paramText = (value: string) => value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/"/g, "'").replace(/\s+/g, ' ').trim()

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const DAY = 86_400_000
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const isDateOnly = (value: string) => DATE_ONLY.test(value)
const basicDate = (w: Pick<WallClock, 'year' | 'month' | 'day'>) => `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}`
const basicTime = (w: WallClock) => `${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`
const utcText = (ms: number) => {
  const d = new Date(ms)
  return `${basicDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() })}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`
}

/**
 * A wall-clock time as ical-generator's Luxon stub: it writes `toFormat`'s fields after the
 * event's TZID as they are, with no conversion through the process's zone.
 */
function wallClockValue(w: WallClock): ICalLuxonDateTimeStub {
  const stub: ICalLuxonDateTimeStub = {
    isValid: true,
    setZone: () => stub,
    toFormat: (format: string) => (format === 'yyyyLLdd' ? basicDate(w) : format === 'HHmmss' ? basicTime(w) : ''),
    toJSDate: () => new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)),
    toJSON: () => `${basicDate(w)}T${basicTime(w)}`,
    zone: { type: 'iana' },
  }
  return stub
}

/** How a series' times are written: in a zone (TZID, its VTIMEZONE, its rules), or in UTC. */
interface WritingZone {
  tzid: string
  zone: Zone
  vtimezone(from: number, through: number): string
}

/** A TZID that needs no quoting in a parameter (a received one may hold `,` or `"`). */
const safeTzid = (tzid: string) => cleanTzid(tzid).replace(/[",;:\\\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim()

const VTIMEZONE_PROPERTIES = new Set(['TZID', 'DTSTART', 'TZOFFSETFROM', 'TZOFFSETTO', 'RRULE', 'RDATE', 'TZNAME'])
const VTIMEZONE_COMPONENTS = /^(BEGIN|END):(VTIMEZONE|STANDARD|DAYLIGHT)$/i

/**
 * The organizer's VTIMEZONE as it is sent on: only its own components and the properties
 * that define offsets, so text a sender shaped cannot add anything else to the invitation
 * (a VEVENT, a second ATTENDEE); its TZID is the one the invitation's times name.
 */
function timezoneLines(vtimezone: string, tzid: string): string | null {
  const lines = vtimezone
    .replace(/\r?\n[ \t]/g, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => VTIMEZONE_COMPONENTS.test(line) || VTIMEZONE_PROPERTIES.has(/^([A-Za-z-]+)[;:]/.exec(line)?.[1]?.toUpperCase() ?? ''))
    .map((line) => (/^TZID[;:]/i.test(line) ? `TZID:${tzid}` : line))
  const depth = lines.reduce((open, line) => open + (/^BEGIN:/i.test(line) ? 1 : /^END:/i.test(line) ? -1 : 0), 0)
  return /^BEGIN:VTIMEZONE$/i.test(lines[0] ?? '') && /^END:VTIMEZONE$/i.test(lines.at(-1) ?? '') && depth === 0 ? lines.join('\r\n') : null
}

/** The zone a series is written in, or null (single events, all-day events, unknown zones). */
function writingZone(event: EventState): WritingZone | null {
  const recurring = Boolean(event.rrule) || event.rdates.length > 0 || Object.keys(event.instances).length > 0
  if (event.allDay || !recurring) return null
  if (event.timezone && isKnownZone(event.timezone)) {
    const name = event.timezone
    return { tzid: name, zone: ianaZone(name), vtimezone: (from, through) => buildVtimezone(name, from, through)!.join('\r\n') }
  }
  if (event.vtimezone && event.tzid) {
    const tzid = safeTzid(event.tzid)
    const text = timezoneLines(event.vtimezone, tzid)
    return tzid && text ? { tzid, zone: zoneOfStored(event), vtimezone: () => text } : null
  }
  return null
}

/** The TZID a series is written in, or null (single events, all-day events, unknown zones). */
export const invitationZone = (event: EventState): string | null => writingZone(event)?.tzid ?? null

/**
 * The stored RRULE as a clean value. UNTIL takes DTSTART's value type (RFC 5545 §3.3.10):
 * a DATE on an all-day series; on a timed one a UTC DATE-TIME, a floating UNTIL being read
 * in the event's zone (or as UTC).
 */
export function normalizeRrule(rrule: string, allDay: boolean, zone: string | Zone | null): string {
  const clean = rrule.replace(/^RRULE:/i, '').replace(/[\s\u0000-\u001f\u007f]+/g, '')
  if (allDay) return clean.replace(/(^|;)UNTIL=(\d{8})T\d{6}Z?(?=;|$)/i, '$1UNTIL=$2')
  const inZone = typeof zone === 'string' ? ianaZone(zone) : zone
  return clean.replace(/(^|;)UNTIL=(\d{8})T(\d{6})(?=;|$)/i, (_, lead: string, d: string, t: string) => {
    const wall = { year: +d.slice(0, 4), month: +d.slice(4, 6), day: +d.slice(6, 8), hour: +t.slice(0, 2), minute: +t.slice(2, 4), second: +t.slice(4, 6) }
    return `${lead}UNTIL=${utcText(inZone ? instantOf(wall, inZone) : Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second))}`
  })
}

const untilOf = (rrule: string | null): number | null => {
  const match = /(?:^|;)UNTIL=(\d{8})(?:T(\d{6})Z?)?/i.exec(rrule ?? '')
  if (!match) return null
  const [d, t = '000000'] = [match[1]!, match[2]]
  return Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4), +t.slice(4, 6))
}

const durationOf = (event: EventState): number | null => {
  if (!event.end) return null
  const ms = msOfStored(event.end) - msOfStored(event.start)
  return Number.isFinite(ms) ? ms : null
}

/** End of an override: its own, or its start plus the series' duration. */
function overrideEnd(event: EventState, instance: InstanceState, start: string): string | null {
  if (instance.end) return instance.end
  const duration = durationOf(event)
  if (duration === null) return null
  if (isDateOnly(start)) return new Date(msOfStored(start) + duration).toISOString().slice(0, 10)
  return new Date(Date.parse(start) + duration).toISOString()
}

/** Only links a reader can open safely: http(s). */
const webUrl = (url: string | null) => (url && /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i.test(url) ? url : null)

const STATUS: Record<EventState['status'], ICalEventStatus> = {
  CONFIRMED: ICalEventStatus.CONFIRMED,
  TENTATIVE: ICalEventStatus.TENTATIVE,
  CANCELLED: ICalEventStatus.CANCELLED,
}

/** How one event's components are written into a calendar (an invitation's, or a feed's). */
export interface EventComponentsOptions {
  sequence: number
  /** ORGANIZER, or none (a public feed names no address). */
  organizer: { name: string; email: string } | null
  /** The whole event is cancelled: STATUS:CANCELLED, and no overrides of single occurrences. */
  cancelled: boolean
}

/** The zone one event's times are written in, and the span its VTIMEZONE must cover. */
export interface EventZone {
  tzid: string
  /** The earliest and latest instants written in the zone. */
  span: [number, number]
  vtimezone(from: number, through: number): string
}

/** What `addEventComponents` wrote: the event's VEVENTs (the master first) and the zone they name. */
export interface EventComponents {
  items: ICalEvent[]
  zone: EventZone | null
}

/**
 * Writes one stored event into `calendar`: the master (or single event) and one VEVENT per
 * changed occurrence, times as the header says; the caller adds the VTIMEZONE of `zone`
 * (one invitation names one zone; a feed gathers the zones of all its events).
 */
export function addEventComponents(calendar: ICalCalendar, event: EventState, options: EventComponentsOptions): EventComponents {
  const sequence = Math.max(0, Math.trunc(options.sequence))
  const writing = writingZone(event)
  const cancel = options.cancelled
  const allDay = event.allDay

  const instances = Object.values(event.instances).sort((a, b) => a.recurrenceId.localeCompare(b.recurrenceId))
  const cancelled = instances.filter((i) => i.status === 'CANCELLED').map((i) => i.recurrenceId)
  const overrides = cancel ? [] : instances.filter((i) => i.status !== 'CANCELLED')
  const exdates = [...new Set([...event.exdates, ...cancelled])].sort()
  const rrule = event.rrule ? normalizeRrule(event.rrule, allDay, writing?.zone ?? null) : null

  /** A time as a value for ical-generator: a Date for UTC and dates, a wall-clock value in a zone. */
  const timeValue = (value: string) => (isDateOnly(value) || !writing ? new Date(msOfStored(value)) : wallClockValue(wallClockIn(msOfStored(value), writing.zone)))
  /** A time as property text after `NAME`: for the raw lines ical-generator writes as given. */
  const timeText = (value: string) => {
    if (isDateOnly(value)) return `;VALUE=DATE:${value.replace(/-/g, '')}`
    if (!writing) return `:${utcText(msOfStored(value))}`
    const w = wallClockIn(msOfStored(value), writing.zone)
    return `;TZID=${writing.tzid}:${basicDate(w)}T${basicTime(w)}`
  }
  /**
   * How an event's end is written: DTEND, or on an all-day event without one the next day
   * (what no DTEND means, RFC 5545 §3.6.1, written out for every client); none for an end
   * before the start (the reader warned the organizer). A series whose DTEND would read as
   * a wall-clock time before DTSTART's (one starting in the repeated hour of an autumn
   * fold) gets a DURATION instead, so a client that reads the repeated hour either way
   * keeps the length.
   */
  const endOf = (start: string, end: string | null, startWall: WallClock | null): { end: string | null; duration: string | null } => {
    if (!end) return { end: isDateOnly(start) ? new Date(msOfStored(start) + DAY).toISOString().slice(0, 10) : null, duration: null }
    const length = msOfStored(end) - msOfStored(start)
    if (length < 0) return { end: null, duration: null }
    if (writing && !isDateOnly(start)) {
      const from = startWall ?? wallClockIn(msOfStored(start), writing.zone)
      const to = wallClockIn(msOfStored(end), writing.zone)
      if (length > 0 && `${basicDate(to)}${basicTime(to)}` <= `${basicDate(from)}${basicTime(from)}`) return { end: null, duration: `PT${Math.round(length / 1000)}S` }
    }
    return { end, duration: null }
  }

  /** EXDATE / RDATE lines, one per value type; an RDATE period (`start/end`) in UTC, as RFC 5545 §3.3.9 allows. */
  const listLines = (name: string, values: string[]) => {
    const periods = values.filter((v) => v.includes('/'))
    const dates = values.filter((v) => !v.includes('/') && isDateOnly(v))
    const times = values.filter((v) => !v.includes('/') && !isDateOnly(v) && Number.isFinite(Date.parse(v)))
    const lines: string[] = []
    if (periods.length) lines.push(`${name};VALUE=PERIOD:${periods.map((p) => p.split('/').map((t) => utcText(msOfStored(t))).join('/')).join(',')}`)
    if (dates.length) lines.push(`${name};VALUE=DATE:${dates.map((d) => d.replace(/-/g, '')).join(',')}`)
    if (times.length) {
      const texts = times.map(timeText)
      const head = texts[0]!.slice(0, texts[0]!.lastIndexOf(':'))
      lines.push(`${name}${head}:${texts.map((t) => t.slice(t.lastIndexOf(':') + 1)).join(',')}`)
    }
    return lines
  }

  const times = [event.start, event.end, ...exdates, ...event.rdates.flatMap((r) => r.split('/')), ...overrides.flatMap((o) => [o.recurrenceId, o.start, o.end])]
    .filter((t): t is string => Boolean(t) && !isDateOnly(t!))
    .map(msOfStored)
    .filter(Number.isFinite)
  const until = untilOf(rrule)
  if (until !== null) times.push(until)
  const zone: EventZone | null = writing && times.length ? { tzid: writing.tzid, span: [Math.min(...times), Math.max(...times)], vtimezone: writing.vtimezone } : null

  const organizer = options.organizer
  const common = (summary: string, location: string | null) => ({
    id: event.uid,
    summary,
    description: event.description || null,
    location: location || null,
    url: webUrl(event.url),
    organizer,
    allDay,
    timezone: writing && !allDay ? writing.tzid : null,
    transparency: event.transp === 'TRANSPARENT' ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
  })

  // The master (or single event): DTSTART at the organizer's own wall-clock time.
  const startWall = writing && event.startLocal && event.tzid ? wallClockOfIso(event.startLocal) : null
  const { end, duration } = endOf(event.start, event.end, startWall)
  const master = calendar.createEvent({
    ...common(event.summary, event.location),
    sequence,
    start: startWall ? wallClockValue(startWall) : timeValue(event.start),
    end: end ? timeValue(end) : null,
    repeating:
      [...(rrule ? [`RRULE:${rrule}`] : []), ...listLines('EXDATE', exdates), ...listLines('RDATE', event.rdates), ...(duration ? [`DURATION:${duration}`] : [])].join('\r\n') ||
      null,
    status: cancel ? ICalEventStatus.CANCELLED : STATUS[event.status],
  })

  // Changed occurrences (a cancelled event needs none).
  const events: ICalEvent[] = [master]
  for (const instance of overrides) {
    const start = instance.start ?? instance.recurrenceId
    const { end } = endOf(start, overrideEnd(event, instance, start), null)
    const dateRecurrence = isDateOnly(instance.recurrenceId)
    events.push(
      calendar.createEvent({
        ...common(instance.summary ?? event.summary, instance.location ?? event.location),
        allDay: isDateOnly(start),
        sequence: Math.max(sequence, instance.sequence),
        start: timeValue(start),
        end: end ? timeValue(end) : null,
        recurrenceId: dateRecurrence ? null : timeValue(instance.recurrenceId),
        repeating: dateRecurrence ? `RECURRENCE-ID${timeText(instance.recurrenceId)}` : null,
        status: STATUS[instance.status],
      }),
    )
  }
  return { items: events, zone }
}

/** A calendar's text as sent: CRLF line ends, folded, ending with CRLF. */
export function calendarText(calendar: ICalCalendar): string {
  // ical-generator prefixes a one-line `repeating` text with "RRULE:" (see the header).
  const text = calendar.toString().replace(/^RRULE:(?=(?:RDATE|EXDATE|RECURRENCE-ID|DURATION)[;:])/gm, '')
  // RFC 5545 §3.1: every content line ends with CRLF, the last one too.
  return `${text.replace(/(\r\n)?$/, '')}\r\n`
}

export function prepareInvitationCalendar(event: EventState, options: CalendarOptions): InvitationCalendar {
  const organizerMailbox = checkAddress(options.organizerMailbox, 'organizer mailbox')
  const method = options.method
  const cancel = method === 'CANCEL'
  const calendar: ICalCalendar = ical({ prodId: PRODID, method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST })
  const organizer = { name: paramText(event.organizer.name ?? '') || event.organizer.email, email: organizerMailbox }
  const { items: events, zone } = addEventComponents(calendar, event, { sequence: options.sequence, organizer, cancelled: cancel })
  const vtimezone = zone ? zone.vtimezone(...zone.span) : null
  if (vtimezone) calendar.timezone({ name: null, generator: () => vtimezone })

  // One ATTENDEE per VEVENT, the recipient: each copy changes only its address and name.
  const attendees = events.map((item) =>
    item.createAttendee({ email: 'recipient@example.invalid', status: ICalAttendeeStatus.NEEDSACTION, role: ICalAttendeeRole.REQ, rsvp: cancel ? null : true }),
  )
  return {
    method,
    timezone: invitationZone(event),
    render(recipient: Person, now: Date): string {
      const email = checkAddress(recipient.email, 'recipient address')
      const name = paramText(recipient.name ?? '') || null
      for (const attendee of attendees) attendee.email(email).name(name)
      for (const item of events) item.stamp(now)
      return calendarText(calendar)
    },
  }
}

/**
 * The event as a calendar anyone may add (the public page's `.ics` download): METHOD:PUBLISH,
 * the whole series as an invitation carries it, the event's own UID (so a later invitation
 * or cancellation lands on the same entry) and the SEQUENCE invitations carry; no ORGANIZER
 * and no ATTENDEE, since nobody is asked to answer and no address is shown to the public.
 */
export function buildPublishedCalendar(event: EventState, sequence: number, now: Date): string {
  const calendar: ICalCalendar = ical({ prodId: PRODID, method: ICalCalendarMethod.PUBLISH })
  const { items, zone } = addEventComponents(calendar, event, { sequence, organizer: null, cancelled: false })
  const vtimezone = zone ? zone.vtimezone(...zone.span) : null
  if (vtimezone) calendar.timezone({ name: null, generator: () => vtimezone })
  for (const item of items) item.stamp(now)
  return calendarText(calendar)
}

export interface InvitationOptions {
  /** Where replies go: the server's rsvp@ mailbox (the ORGANIZER). */
  replyTo: string
  recipient: Person
  /** Raised on every update sent; defaults to the event's own SEQUENCE. */
  sequence?: number
  /** REQUEST (default) or CANCEL. */
  method?: InvitationMethod
  now?: Date
}

/** The iCalendar text of one invitation (CRLF, folded at 75 octets). */
export function buildInvitation(event: EventState, options: InvitationOptions): string {
  return prepareInvitationCalendar(event, {
    method: options.method ?? 'REQUEST',
    sequence: options.sequence ?? event.sequence,
    organizerMailbox: options.replyTo,
  }).render(options.recipient, options.now ?? new Date())
}
