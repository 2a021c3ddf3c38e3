/**
 * The iCalendar invitation the server sends for a stored event, to one recipient per
 * message (ITIP 20–22):
 * - METHOD:REQUEST (or CANCEL with STATUS:CANCELLED), the event's UID, the SEQUENCE the
 *   caller gives, a fresh DTSTAMP;
 * - ORGANIZER is the server's rsvp@ mailbox, with the real organizer's name as CN, so
 *   replies come back to the server;
 * - exactly one ATTENDEE, the recipient: PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT
 *   (the CANCEL names the attendee without asking for an answer);
 * - a series is described as stored: RRULE, EXDATE (cancelled occurrences included), RDATE,
 *   and one VEVENT with RECURRENCE-ID per changed occurrence.
 *
 * Times: a single event is written in UTC, which every client places correctly. A series
 * with a time zone is written in that zone (TZID plus a VTIMEZONE built from the runtime's
 * zone data): in UTC, a weekly 09:00 meeting would move to 08:00 or 10:00 in the
 * attendee's calendar after a daylight-saving change. All-day events use DATE values.
 *
 * The text is built once per (event, method, SEQUENCE, organizer mailbox) as a template;
 * only the ATTENDEE and DTSTAMP lines are written per recipient, so sending one event to
 * thousands of people does not rebuild it each time.
 */
import type { EventState, InstanceState } from '../itip/event-state'
import type { Person } from '../scheduling'
import { dateValue, escapeText, foldLine, foldLines, isDateOnly, paramText, quoteParam, utcDateTime, zonedDateTime } from './ical-text'
import { buildVtimezone, isKnownZone, offsetMinutes } from './vtimezone'

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
  /** The zone times are written in (TZID), or null for UTC and DATE values. */
  readonly timezone: string | null
  /** The calendar for one recipient: CRLF, folded, ending with CRLF. */
  render(recipient: Person, now: Date): string
}

export const PRODID = '-//Calendar Invite Server//Invitations//EN'

/** A plain address without anything that could end a property or a header. */
const ADDRESS = /^[^\s@<>"(),;:\\[\]\u0000-\u001f\u007f]+@[^\s@<>"(),;:\\[\]\u0000-\u001f\u007f]+$/

export function isMailAddress(value: string): boolean {
  return value.length <= 254 && ADDRESS.test(value)
}

function checkAddress(value: string, what: string): string {
  if (!isMailAddress(value)) throw new RangeError(`The ${what} "${value.replace(/[\u0000-\u001f\u007f]/g, '?')}" is not a mail address.`)
  return value
}

type Slot = 'ATTENDEE' | 'DTSTAMP'

/** How date-times are written: in UTC, or as wall-clock time in a zone. */
type Clock = { zone: string | null }

function timeProperty(name: string, value: string, clock: Clock): string {
  if (isDateOnly(value)) return `${name};VALUE=DATE:${dateValue(value)}`
  if (clock.zone) return `${name};TZID=${clock.zone}:${zonedDateTime(value, clock.zone)}`
  return `${name}:${utcDateTime(value)}`
}

/** EXDATE / RDATE lines: one per value type (dates and date-times may be mixed in storage). */
function timeListProperties(name: string, values: string[], clock: Clock): string[] {
  const dates = values.filter(isDateOnly)
  const times = values.filter((v) => !isDateOnly(v) && !Number.isNaN(Date.parse(v)))
  // An RDATE with its own end (`start/end`, as stored from a PERIOD), written in UTC as RFC 5545 §3.3.9 allows.
  const periods = values.filter((v) => v.includes('/') && v.split('/').every((t) => !isDateOnly(t) && !Number.isNaN(Date.parse(t))))
  const lines: string[] = []
  if (periods.length) lines.push(`${name};VALUE=PERIOD:${periods.map((p) => p.split('/').map(utcDateTime).join('/')).join(',')}`)
  if (dates.length) lines.push(`${name};VALUE=DATE:${dates.map(dateValue).join(',')}`)
  if (times.length) {
    lines.push(
      clock.zone
        ? `${name};TZID=${clock.zone}:${times.map((t) => zonedDateTime(t, clock.zone!)).join(',')}`
        : `${name}:${times.map((t) => utcDateTime(t)).join(',')}`,
    )
  }
  return lines
}

/**
 * The stored RRULE as a clean value. A DATE-TIME UNTIL must be in UTC when DTSTART is UTC
 * or zoned (RFC 5545 §3.3.10): a floating UNTIL is read in the event's zone (or as UTC).
 */
export function normalizeRrule(rrule: string, allDay: boolean, zone: string | null): string {
  const clean = rrule.replace(/^RRULE:/i, '').replace(/[\s\u0000-\u001f\u007f]+/g, '')
  if (allDay) return clean
  return clean.replace(/(^|;)UNTIL=(\d{8})T(\d{6})(?=;|$)/i, (_, lead: string, d: string, t: string) => {
    const wall = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4), +t.slice(4, 6))
    const utc = zone ? wall - offsetMinutes(zone, wall) * 60_000 : wall
    return `${lead}UNTIL=${utcDateTime(utc)}`
  })
}

const untilOf = (rrule: string | null): number | null => {
  const match = /(?:^|;)UNTIL=(\d{8})(?:T(\d{6})Z?)?/i.exec(rrule ?? '')
  if (!match) return null
  const [d, t = '000000'] = [match[1]!, match[2]]
  return Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4), +t.slice(4, 6))
}

/** The zone a series is written in, or null (single events, all-day events, unknown zones). */
export function invitationZone(event: EventState): string | null {
  const recurring = Boolean(event.rrule) || event.rdates.length > 0 || Object.keys(event.instances).length > 0
  if (event.allDay || !recurring || !event.timezone) return null
  return isKnownZone(event.timezone) ? event.timezone : null
}

const durationOf = (event: EventState): number | null => {
  if (!event.end) return null
  const ms = Date.parse(event.allDay ? `${event.end}T00:00:00Z` : event.end) - Date.parse(event.allDay ? `${event.start}T00:00:00Z` : event.start)
  return Number.isFinite(ms) ? ms : null
}

/** End of an override: its own, or its start plus the series' duration. */
function overrideEnd(event: EventState, instance: InstanceState, start: string): string | null {
  if (instance.end) return instance.end
  const duration = durationOf(event)
  if (duration === null) return null
  if (isDateOnly(start)) return new Date(Date.parse(`${start}T00:00:00Z`) + duration).toISOString().slice(0, 10)
  return new Date(Date.parse(start) + duration).toISOString()
}

export function prepareInvitationCalendar(event: EventState, options: CalendarOptions): InvitationCalendar {
  const organizerMailbox = checkAddress(options.organizerMailbox, 'organizer mailbox')
  const method = options.method
  const sequence = Math.max(0, Math.trunc(options.sequence))
  const zone = invitationZone(event)
  const clock: Clock = { zone }
  const cancel = method === 'CANCEL'

  const instances = Object.values(event.instances).sort((a, b) => a.recurrenceId.localeCompare(b.recurrenceId))
  const cancelled = instances.filter((i) => i.status === 'CANCELLED').map((i) => i.recurrenceId)
  const overrides = cancel ? [] : instances.filter((i) => i.status !== 'CANCELLED')
  const exdates = [...new Set([...event.exdates, ...cancelled])].sort()
  const rrule = event.rrule ? normalizeRrule(event.rrule, event.allDay, zone) : null

  const organizerCn = quoteParam(paramText(event.organizer.name ?? '') || event.organizer.email)
  const segments: (string | Slot)[] = []
  const lines: string[] = []
  const flush = () => {
    if (lines.length) segments.push(foldLines(lines.splice(0)))
  }
  const slot = (name: Slot) => {
    flush()
    segments.push(name)
  }

  lines.push('BEGIN:VCALENDAR', `PRODID:${PRODID}`, 'VERSION:2.0', 'CALSCALE:GREGORIAN', `METHOD:${method}`)
  if (zone) {
    const times = [event.start, event.end, ...exdates, ...event.rdates, ...overrides.flatMap((o) => [o.recurrenceId, o.start, o.end])]
      .filter((t): t is string => Boolean(t) && !isDateOnly(t!))
      .map((t) => Date.parse(t))
      .filter(Number.isFinite)
    const until = untilOf(rrule)
    if (until !== null) times.push(until)
    lines.push(...buildVtimezone(zone, Math.min(...times), Math.max(...times))!)
  }

  const common = (summary: string, location: string | null) => {
    lines.push(`SUMMARY:${escapeText(summary)}`)
    if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`)
    if (location) lines.push(`LOCATION:${escapeText(location)}`)
    if (event.url && /^[a-z][a-z0-9+.-]*:[^\s\u0000-\u001f\u007f]+$/i.test(event.url)) lines.push(`URL;VALUE=URI:${event.url}`)
    lines.push(`ORGANIZER;CN=${organizerCn}:mailto:${organizerMailbox}`)
    slot('ATTENDEE')
  }

  // The master (or single event).
  lines.push('BEGIN:VEVENT', `UID:${escapeText(event.uid)}`, `SEQUENCE:${sequence}`)
  slot('DTSTAMP')
  lines.push(timeProperty('DTSTART', event.start, clock))
  if (event.end) lines.push(timeProperty('DTEND', event.end, clock))
  if (rrule) lines.push(`RRULE:${rrule}`)
  if (exdates.length) lines.push(...timeListProperties('EXDATE', exdates, clock))
  if (event.rdates.length) lines.push(...timeListProperties('RDATE', event.rdates, clock))
  common(event.summary, event.location)
  lines.push(`STATUS:${cancel ? 'CANCELLED' : event.status}`, 'TRANSP:OPAQUE', 'END:VEVENT')

  // Changed occurrences (a CANCEL of the whole event needs none).
  for (const instance of overrides) {
    const start = instance.start ?? instance.recurrenceId
    const end = overrideEnd(event, instance, start)
    lines.push('BEGIN:VEVENT', `UID:${escapeText(event.uid)}`, `SEQUENCE:${Math.max(sequence, instance.sequence)}`)
    slot('DTSTAMP')
    lines.push(timeProperty('RECURRENCE-ID', instance.recurrenceId, clock), timeProperty('DTSTART', start, clock))
    if (end) lines.push(timeProperty('DTEND', end, clock))
    common(instance.summary ?? event.summary, instance.location ?? event.location)
    lines.push(`STATUS:${instance.status}`, 'TRANSP:OPAQUE', 'END:VEVENT')
  }
  lines.push('END:VCALENDAR')
  flush()

  const params = cancel ? 'PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT' : 'PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT'
  return {
    method,
    timezone: zone,
    render(recipient: Person, now: Date): string {
      const email = checkAddress(recipient.email, 'recipient address')
      const name = paramText(recipient.name ?? '')
      const attendee = foldLine(`ATTENDEE;${name ? `CN="${name}";` : ''}${params}:mailto:${email}`) + '\r\n'
      const dtstamp = `DTSTAMP:${utcDateTime(now)}\r\n`
      let text = ''
      for (const segment of segments) text += segment === 'ATTENDEE' ? attendee : segment === 'DTSTAMP' ? dtstamp : segment
      return text
    },
  }
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
