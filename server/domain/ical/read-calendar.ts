/**
 * Reads one iCalendar object (node-ical) into a SchedulingMessage. node-ical unfolds lines,
 * decodes values, resolves TZIDs through the message's own VTIMEZONE and Windows names, and
 * merges RECURRENCE-ID overrides into their master; this module turns its loose output into
 * plain, checked data and reports what it could not resolve.
 */
import ical from 'node-ical'
import {
  METHODS,
  PARTSTAT_VALUES,
  NotSchedulingMessage,
  type Attendee,
  type EventComponent,
  type Method,
  type PartstatValue,
  type Person,
  type SchedulingMessage,
} from '../scheduling'
import { ianaTimezone } from './timezones'

// node-ical reads floating times, and times in a zone it cannot resolve, in the process's
// zone. Pinning it to UTC makes such times mean the same on every machine (Lambda runs in UTC).
process.env.TZ = 'UTC'

/** node-ical's loose value shapes. */
type ParamValue = string | { params?: Record<string, unknown>; val?: unknown }
type IcalDate = Date & { tz?: string; dateOnly?: boolean }
interface RawComponent {
  type?: string
  [key: string]: unknown
}

const textOf = (value: unknown): string | null => {
  if (value == null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  if (typeof value === 'object' && 'val' in value) return textOf((value as { val: unknown }).val)
  return null
}
const paramsOf = (value: unknown): Record<string, unknown> =>
  (value && typeof value === 'object' && 'params' in value ? (value as { params?: Record<string, unknown> }).params : undefined) ?? {}

/** `MAILTO:Alice@Example.com` (or a malformed `;mailto:` leftover) → `alice@example.com`. */
export function addressOf(value: string | null): string | null {
  if (!value) return null
  const match = /(?:mailto:)?\s*([^\s:;<>"]+@[^\s:;<>"]+)/i.exec(value)
  return match ? match[1]!.toLowerCase() : null
}

const nameOf = (value: unknown): string | null => {
  const cn = paramsOf(value).CN
  const name = typeof cn === 'string' ? cn.replace(/^"(.*)"$/, '$1').trim() : null
  return name || null
}

function personOf(value: unknown): Person | null {
  const email = addressOf(textOf(value))
  return email ? { email, name: nameOf(value) } : null
}

function attendeesOf(value: unknown): Attendee[] {
  const list = Array.isArray(value) ? value : value == null ? [] : [value]
  const attendees: Attendee[] = []
  for (const entry of list as ParamValue[]) {
    const person = personOf(entry)
    if (!person) continue
    const params = paramsOf(entry)
    const partstat = String(params.PARTSTAT ?? 'NEEDS-ACTION').toUpperCase()
    attendees.push({
      ...person,
      partstat: (PARTSTAT_VALUES as readonly string[]).includes(partstat) ? (partstat as PartstatValue) : 'NEEDS-ACTION',
      role: typeof params.ROLE === 'string' ? params.ROLE.toUpperCase() : null,
      rsvp: params.RSVP === true || String(params.RSVP).toUpperCase() === 'TRUE',
    })
  }
  return attendees
}

const isDate = (value: unknown): value is IcalDate => value instanceof Date && !Number.isNaN(value.getTime())

/** ISO UTC for times; the calendar date for all-day values. */
function formatWhen(value: unknown, allDay: boolean): string | null {
  if (!isDate(value)) return null
  if (allDay || value.dateOnly) {
    // node-ical builds DATE values at local midnight, which is UTC midnight here (TZ pinned).
    return value.toISOString().slice(0, 10)
  }
  return value.toISOString().replace(/\.000Z$/, 'Z')
}

const datesOf = (value: unknown, allDay: boolean): string[] => {
  if (!value || typeof value !== 'object') return []
  const unique = new Set<string>()
  for (const date of Object.values(value as Record<string, unknown>)) {
    const formatted = formatWhen(date, allDay)
    if (formatted) unique.add(formatted)
  }
  return [...unique].sort()
}

const STATUSES = ['CONFIRMED', 'TENTATIVE', 'CANCELLED'] as const

function componentOf(raw: RawComponent, warnings: string[], zonesInMessage: Set<string>, rrules: KeptCalendar['rrules']): EventComponent {
  const allDay = raw.datetype === 'date'
  const start = raw.start as IcalDate | undefined
  const tzid = start?.tz
  let timezone: string | null = null
  if (tzid && !/^(Etc\/)?(UTC|GMT)$/i.test(tzid)) {
    timezone = ianaTimezone(tzid)
    if (!timezone && !zonesInMessage.has(tzid)) {
      warnings.push(`Unknown time zone "${tzid}" with no VTIMEZONE in the message: its times were read as UTC.`)
    }
  }
  const sequence = Number.parseInt(String(raw.sequence ?? '0'), 10)
  const status = String(textOf(raw.status) ?? '').toUpperCase()
  const recurrenceId = raw.recurrenceid as IcalDate | undefined
  const rangeParam = paramsOf(raw.recurrenceid).RANGE
  return {
    uid: String(textOf(raw.uid) ?? '').trim(),
    sequence: Number.isFinite(sequence) ? sequence : 0,
    dtstamp: formatWhen(raw.dtstamp, false),
    status: (STATUSES as readonly string[]).includes(status) ? (status as EventComponent['status']) : null,
    summary: textOf(raw.summary),
    description: textOf(raw.description),
    location: textOf(raw.location),
    url: textOf(raw.url),
    organizer: personOf(raw.organizer),
    attendees: attendeesOf(raw.attendee),
    start: formatWhen(start, allDay),
    end: formatWhen(raw.end, allDay),
    allDay,
    timezone,
    rrule: raw.recurrenceid ? rrules.override : rrules.master,
    exdates: datesOf(raw.exdate, allDay),
    rdates: datesOf(raw.rdate, allDay),
    recurrenceId: recurrenceId ? formatWhen(recurrenceId, Boolean(recurrenceId.dateOnly)) : null,
    thisAndFuture: String(rangeParam ?? '').toUpperCase() === 'THISANDFUTURE',
  }
}

/**
 * The properties the scheduling rules read (and the VTIMEZONE rules node-ical needs to
 * place times). Everything else (alarms, X-ALT-DESC HTML, conference data, X-MICROSOFT-*)
 * is dropped before node-ical sees it: about half of its parse time went to them.
 */
const KEPT_PROPERTIES = new Set([
  'BEGIN', 'END', 'METHOD', 'PRODID', 'VERSION', 'X-WR-TIMEZONE',
  'UID', 'SEQUENCE', 'DTSTAMP', 'DTSTART', 'DTEND', 'DURATION', 'RRULE', 'EXDATE', 'RDATE', 'RECURRENCE-ID',
  'STATUS', 'SUMMARY', 'DESCRIPTION', 'LOCATION', 'URL', 'ORGANIZER', 'ATTENDEE',
  'TZID', 'TZOFFSETFROM', 'TZOFFSETTO', 'TZNAME',
])

export interface KeptCalendar {
  text: string
  /** RRULE values of the events, by whether the VEVENT is an override (has RECURRENCE-ID). */
  rrules: { master: string | null; override: string | null }
}

/**
 * Logical lines (a folded continuation stays with its line) of the kept properties, outside
 * VALARMs. An event's RRULE is taken out and returned as text: the rules only store it,
 * and node-ical would otherwise build (and time-zone) a recurrence object for every message.
 * VTIMEZONE rules keep theirs: node-ical needs them to place times.
 */
export function keepSchedulingProperties(text: string): KeptCalendar {
  const kept: string[] = []
  const rrules: KeptCalendar['rrules'] = { master: null, override: null }
  let inAlarm = 0
  let inEvent = false
  let eventRrule: string | null = null
  let eventIsOverride = false
  for (const line of text.split(/\r?\n(?![ \t])/)) {
    const name = /^([A-Za-z0-9-]+)[;:]/.exec(line)?.[1]?.toUpperCase()
    if (!name) continue
    if (name === 'BEGIN' && /^BEGIN:VALARM\s*$/i.test(line)) inAlarm++
    else if (name === 'END' && /^END:VALARM\s*$/i.test(line)) inAlarm = Math.max(0, inAlarm - 1)
    else if (inAlarm || !KEPT_PROPERTIES.has(name)) continue
    else if (inEvent && name === 'RRULE') eventRrule = line.replace(/\r?\n[ \t]/g, '').slice(line.indexOf(':') + 1).replace(/\s+/g, '').trim()
    else {
      if (name === 'RECURRENCE-ID' && inEvent) eventIsOverride = true
      if (name === 'BEGIN' && /^BEGIN:VEVENT\s*$/i.test(line)) [inEvent, eventRrule, eventIsOverride] = [true, null, false]
      if (name === 'END' && /^END:VEVENT\s*$/i.test(line)) {
        inEvent = false
        if (eventRrule) rrules[eventIsOverride ? 'override' : 'master'] ??= eventRrule
      }
      kept.push(line)
    }
  }
  return { text: kept.join('\r\n') + '\r\n', rrules }
}

const parseIcs = (text: string) => ical.sync.parseICS(text) as unknown as Record<string, RawComponent>

/** Unfolds, removes spaces inside RRULE values, and drops an RRULE whose event has no DTSTART. */
function repairRecurrence(text: string): string {
  const unfolded = text.replace(/\r?\n[ \t]/g, '')
  return unfolded.replace(/BEGIN:VEVENT[\s\S]*?END:VEVENT/g, (event) => {
    const fixed = event.replace(/^(RRULE[^:\n]*:)(.*)$/gm, (_, name: string, value: string) => name + value.replace(/\s+/g, ''))
    return /^DTSTART[;:]/m.test(fixed) ? fixed : fixed.replace(/^(RRULE|EXDATE|RDATE)[;:].*\r?\n/gm, '')
  })
}

/** Whether some VEVENT in the text has no RECURRENCE-ID (that is, is a master or single event). */
function hasMasterInText(text: string): boolean {
  const events = text.match(/BEGIN:VEVENT[\s\S]*?END:VEVENT/gi) ?? []
  return events.some((event) => !/^RECURRENCE-ID[;:]/im.test(event))
}

/** Some clients write `ORGANIZER;mailto:…` (a `;` for the `:`); the address is still plain to see. */
function organizerFromRawText(text: string): Person | null {
  const line = /^ORGANIZER[;:](.*)$/m.exec(text.replace(/\r?\n[ \t]/g, ''))
  const email = addressOf(line?.[1] ?? null)
  return email ? { email, name: null } : null
}

/** The bodies of each VCALENDAR in a text (files may hold a stream of several). */
export function splitCalendars(text: string): string[] {
  return text.match(/BEGIN:VCALENDAR[\s\S]*?END:VCALENDAR/gi) ?? []
}

/**
 * Reads one scheduling message. `fallbackMethod` is the Content-Type `method=` of the
 * MIME part, used only when the body has no METHOD. Throws NotSchedulingMessage with a
 * sentence a person understands when the text is not something to act on.
 */
export function readCalendar(fullText: string, fallbackMethod: string | null = null): SchedulingMessage {
  const { text, rrules } = keepSchedulingProperties(fullText)
  if (splitCalendars(text).length > 1) {
    throw new NotSchedulingMessage('The message holds several calendars; a scheduling message carries exactly one.', 'several-uids')
  }
  const warnings: string[] = []
  let parsed: Record<string, RawComponent>
  try {
    parsed = parseIcs(text)
  } catch (error) {
    // One second chance for the recurrence properties real clients get wrong (a CANCEL with
    // an RRULE but no DTSTART, BYDAY lists with spaces): the identity of the event survives.
    try {
      parsed = parseIcs(repairRecurrence(text))
      warnings.push(`The calendar's recurrence rule could not be read (${(error as Error).message}) and was ignored.`)
    } catch {
      throw new NotSchedulingMessage(`The calendar could not be read: ${(error as Error).message}.`, 'unparsable')
    }
  }
  const components = Object.values(parsed)
  const calendar = components.find((c) => c.type === 'VCALENDAR')
  if (!calendar) throw new NotSchedulingMessage('The calendar is incomplete (no END:VCALENDAR).', 'unparsable')
  const bodyMethod = String(calendar?.method ?? '').trim().toUpperCase()
  const method = (bodyMethod || String(fallbackMethod ?? '').trim().toUpperCase()) as Method
  if (!method) throw new NotSchedulingMessage('The calendar has no METHOD, so it is not an invitation, reply or cancellation.', 'no-method')
  if (method === 'PUBLISH') throw new NotSchedulingMessage('The calendar is published (METHOD:PUBLISH), not sent as an invitation.', 'publish')
  if (!METHODS.includes(method)) throw new NotSchedulingMessage(`The calendar's METHOD ${method} is not an iTIP method.`, 'unsupported')

  const zonesInMessage = new Set(
    components.filter((c) => c.type === 'VTIMEZONE').map((c) => String(c.tzid ?? '').replace(/^"(.*)"$/, '$1')),
  )
  const events = components.filter((c) => c.type === 'VEVENT')
  if (events.length === 0) {
    const kinds = [...new Set(components.map((c) => c.type).filter((t) => t && t !== 'VCALENDAR' && t !== 'VTIMEZONE'))]
    throw new NotSchedulingMessage(
      kinds.length ? `The calendar carries ${kinds.join(', ')}, not an event; only events are supported.` : 'The calendar carries no event.',
      'unsupported',
    )
  }

  let master: EventComponent | null = null
  const overrides: EventComponent[] = []
  for (const raw of events) {
    // Overrides arrive merged into their master under `recurrences`, keyed twice (date and time).
    const recurrences = raw.recurrences && typeof raw.recurrences === 'object' ? Object.values(raw.recurrences as Record<string, RawComponent>) : []
    const component = componentOf(raw, warnings, zonesInMessage, rrules)
    if (component.recurrenceId) overrides.push(component)
    else if (master) throw new NotSchedulingMessage('The calendar holds more than one event; a scheduling message is about one.', 'several-uids')
    else master = component
    for (const override of recurrences) overrides.push(componentOf(override, warnings, zonesInMessage, rrules))
  }
  // node-ical turns an override that also carries an RRULE into a master holding itself as
  // its override; the text decides whether the message really has a master.
  if (master && !hasMasterInText(text)) master = null
  // node-ical files each override under two keys (date and time): keep one per RECURRENCE-ID.
  const byRecurrenceId = new Map(overrides.map((o) => [o.recurrenceId!, o]))
  const uniqueOverrides = [...byRecurrenceId.values()].sort((a, b) => a.recurrenceId!.localeCompare(b.recurrenceId!))
  if (events.length === 1) {
    for (const component of [master, ...uniqueOverrides]) if (component && !component.organizer) component.organizer = organizerFromRawText(text)
  }

  const uids = new Set([master, ...uniqueOverrides].filter(Boolean).map((c) => c!.uid))
  if (uids.has('') || uids.size === 0) throw new NotSchedulingMessage('The event has no UID, so it cannot be matched to later updates.', 'no-uid')
  if (uids.size > 1) throw new NotSchedulingMessage(`The calendar is about ${uids.size} different events (UIDs); a scheduling message is about one.`, 'several-uids')

  return {
    method,
    prodid: textOf(calendar?.prodid),
    master,
    overrides: uniqueOverrides,
    warnings: [...new Set(warnings)],
  }
}

/**
 * Reads the first of a message's calendar parts that can be read (best candidate first, as
 * readMail orders them). Copies are parsed only when the part before them is unreadable;
 * any other verdict on the first part is the message's verdict.
 */
export function readFirstCalendar(parts: { text: string; contentTypeMethod: string | null }[]): SchedulingMessage {
  let firstProblem: NotSchedulingMessage | undefined
  for (const part of parts) {
    try {
      return readCalendar(part.text, part.contentTypeMethod)
    } catch (error) {
      if (!(error instanceof NotSchedulingMessage)) throw error
      firstProblem ??= error
      if (error.code !== 'unparsable') throw error
    }
  }
  throw firstProblem ?? new NotSchedulingMessage('The message carries no calendar invitation.', 'no-calendar')
}
