/**
 * Reads one iCalendar object into a SchedulingMessage: plain, checked data, with times
 * placed by the message's own VTIMEZONEs (zone.ts) and what could not be known reported as
 * warnings.
 *
 * ical.js parses (unfolding, unescaping, parameters, value types, PERIOD and DATE lists);
 * every VEVENT is read on its own, so an override with a higher SEQUENCE than its master
 * (Google writes that after one occurrence moved) keeps the master, and RDATEs of every
 * value type stay. node-ical, which this module used before, merges overrides into masters
 * by SEQUENCE, returns RDATE as text and places times it cannot resolve in the process's
 * zone; it stays a development dependency, as the benchmark's baseline and a second reader
 * in tests.
 */
import ICAL from 'ical.js'
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
import { addressInCalendarValue } from '../mail/address'
import { STORAGE_LIMITS } from '../itip/event-state'
import { EVENT_STATUSES } from '../../../shared/vocabulary'
import { FLOATING_ZONE, UTC_ZONE, cleanTzid, instantOf, isoInstant, msOfStored, resolveZone, wallClockIn, wallClockOfTime, type WallClock, type Zone } from './zone'

const paramText = (property: ICAL.Property, name: string): string | null => {
  const value = property.getParameter(name) as string | string[] | undefined
  const text = Array.isArray(value) ? value[0] : value
  return typeof text === 'string' && text.trim() ? text.replace(/^"(.*)"$/, '$1').trim() : null
}

/**
 * An ORGANIZER or ATTENDEE: the mailto: address, or where the value is a principal URL or
 * URN (CalDAV servers write `EMAIL=` beside it, RFC 7986 §6.2), the EMAIL parameter.
 */
function personOf(property: ICAL.Property | null): Person | null {
  if (!property) return null
  const value = String(property.getFirstValue() ?? '')
  const email = (/^\s*mailto:/i.test(value) ? addressInCalendarValue(value) : null) ?? addressInCalendarValue(paramText(property, 'email')) ?? addressInCalendarValue(value)
  return email ? { email, name: paramText(property, 'cn') } : null
}

function attendeesOf(event: ICAL.Component, warnings: string[]): Attendee[] {
  const attendees: Attendee[] = []
  for (const property of event.getAllProperties('attendee')) {
    const person = personOf(property)
    if (!person) {
      const value = String(property.getFirstValue() ?? '')
      warnings.push(`The ATTENDEE "${value.slice(0, 200).replace(/[\u0000-\u001f\u007f]/g, '?')}" names no mail address, so it was left out.`)
      continue
    }
    const partstat = (paramText(property, 'partstat') ?? 'NEEDS-ACTION').toUpperCase()
    attendees.push({
      ...person,
      partstat: (PARTSTAT_VALUES as readonly string[]).includes(partstat) ? (partstat as PartstatValue) : 'NEEDS-ACTION',
      role: paramText(property, 'role')?.toUpperCase() ?? null,
      rsvp: paramText(property, 'rsvp')?.toUpperCase() === 'TRUE',
    })
  }
  return attendees
}

const text = (component: ICAL.Component, name: string): string | null => {
  const property = component.getFirstProperty(name)
  const value = property ? valuesOf(property, []).map(String).join(',') : null
  return value == null ? null : value
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const isoDate = (w: Pick<WallClock, 'year' | 'month' | 'day'>) => `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`
const isoLocal = (w: WallClock) => `${isoDate(w)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`

/**
 * A property's values, or none where ical.js cannot read them (`DTEND:199706211T173000Z`):
 * one bad value costs that property, with a warning, not the whole invitation.
 */
function valuesOf(property: ICAL.Property, warnings: string[]): unknown[] {
  try {
    return property.getValues()
  } catch {
    const raw = property.jCal.slice(3).map(String).join(',')
    warnings.push(`The ${property.name.toUpperCase()} value "${raw}" could not be read and was ignored.`)
    return []
  }
}

/** Reads the times of one message, resolving each TZID once and warning once per unknown one. */
class TimeReader {
  private readonly zones = new Map<string, Zone>()

  constructor(
    private readonly vtimezones: ReadonlyMap<string, string>,
    readonly warnings: string[],
  ) {}

  /** The first value of a property, when it is a readable time. */
  firstTime(property: ICAL.Property | null): ICAL.Time | null {
    const value = property ? valuesOf(property, this.warnings)[0] : null
    return value instanceof ICAL.Time ? value : null
  }

  /** The VTIMEZONE text a zone was read from, kept with the event so later occurrences read alike. */
  vtimezoneOf(zone: Zone): string | null {
    return zone.source === 'vtimezone' && zone.tzid ? (this.vtimezones.get(zone.tzid) ?? null) : null
  }

  zoneOf(time: ICAL.Time, tzid: string | null): Zone {
    if (time.zone === ICAL.Timezone.utcTimezone) return UTC_ZONE
    if (!tzid) return FLOATING_ZONE
    let zone = this.zones.get(tzid)
    if (!zone) {
      zone = resolveZone(tzid, this.vtimezones)
      this.zones.set(tzid, zone)
      if (zone.source === 'unknown') {
        this.warnings.push(
          `The time zone "${cleanTzid(tzid)}" is neither defined in the message (no VTIMEZONE) nor a known zone name, so its times were read as UTC and may be off by hours.`,
        )
      }
    }
    return zone
  }

  /** The zone to read a UTC time on an all-day series in: the one the message's times use. */
  get messageZone(): Zone {
    for (const zone of this.zones.values()) if (zone.source !== 'unknown') return zone
    const [only] = this.vtimezones.keys()
    return this.vtimezones.size === 1 ? this.zoneOf(ICAL.Time.fromDateTimeString('2000-01-01T00:00:00'), only!) : UTC_ZONE
  }

  /**
   * One value: ISO UTC for times, `YYYY-MM-DD` for dates. On an all-day series a DATE-TIME
   * means its local date (RECURRENCE-ID, EXDATE, UNTIL): the date as written, or for a UTC time the date in
   * the message's zone (Exchange writes the local midnight in UTC).
   */
  when(time: ICAL.Time, tzid: string | null, allDay: boolean): string {
    if (time.isDate) return isoDate(time)
    const zone = this.zoneOf(time, tzid)
    if (allDay) return isoDate(zone.source === 'utc' ? wallClockIn(instantOf(wallClockOfTime(time), zone), this.messageZone) : time)
    return isoInstant(instantOf(wallClockOfTime(time), zone))
  }
}


/** EXDATE or RDATE values, sorted and unique; PERIOD values as `start/end`. */
function timeList(event: ICAL.Component, name: string, reader: TimeReader, allDay: boolean): string[] {
  const unique = new Set<string>()
  for (const property of event.getAllProperties(name)) {
    const tzid = paramText(property, 'tzid')
    for (const value of valuesOf(property, reader.warnings)) {
      if (value instanceof ICAL.Period) {
        const start = value.start
        const end = value.end ?? value.getEnd()
        unique.add(`${reader.when(start, tzid, allDay)}/${reader.when(end, tzid, allDay)}`)
      } else if (value instanceof ICAL.Time) unique.add(reader.when(value, tzid, allDay))
    }
  }
  return [...unique].sort()
}

/** UNTIL of an all-day series as a DATE (RFC 5545 §3.3.10: the type of DTSTART). */
function allDayRrule(rrule: string, reader: TimeReader): string {
  return rrule.replace(/(^|;)UNTIL=(\d{8})T(\d{6})(Z?)/i, (_, lead: string, date: string, time: string, utc: string) => {
    const value = ICAL.Time.fromDateTimeString(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}${utc ? 'Z' : ''}`,
    )
    return `${lead}UNTIL=${reader.when(value, null, true).replace(/-/g, '')}`
  })
}

const TRANSPS = ['OPAQUE', 'TRANSPARENT'] as const

/**
 * Why ical.js cannot expand an RRULE, or null: a rule without FREQ, or with a part out of
 * range, fails on the first occurrence wherever the event's occurrences are listed, and an
 * UNTIL that is no date fails where the rule is put in words.
 */
function rruleProblem(rrule: string, start: ICAL.Time | null): string | null {
  try {
    const recur = ICAL.Recur.fromString(rrule)
    if (!recur.freq) return 'it has no FREQ'
    // ical.js reads UNTIL=20261301 as next January, without a word.
    const until = /(?:^|;)UNTIL=([^;]*)/i.exec(rrule)?.[1]
    if (until !== undefined && !isTimeValue(until.toUpperCase())) return `its UNTIL ${until} is no date`
    recur.iterator(start ?? ICAL.Time.fromDateTimeString('2000-01-01T00:00:00')).next()
    return null
  } catch (error) {
    return (error as Error).message
  }
}

function componentOf(event: ICAL.Component, rrule: string | null, reader: TimeReader): EventComponent {
  const dtstart = event.getFirstProperty('dtstart')
  const startTime = reader.firstTime(dtstart)
  const allDay = Boolean(startTime?.isDate)
  const startTzid = dtstart ? paramText(dtstart, 'tzid') : null
  const zone = startTime ? reader.zoneOf(startTime, startTzid) : null
  const timeOf = (name: string) => {
    const property = event.getFirstProperty(name)
    const value = reader.firstTime(property)
    return value ? reader.when(value, paramText(property!, 'tzid'), allDay) : null
  }
  let end = timeOf('dtend')
  const durationProperty = event.getFirstProperty('duration')
  const duration = durationProperty ? valuesOf(durationProperty, reader.warnings)[0] : null
  if (!end && startTime && duration instanceof ICAL.Duration) {
    // DURATION is nominal for days and weeks (RFC 5545 §3.3.6): added to the wall-clock time.
    const local = startTime.clone()
    local.addDuration(duration)
    end = reader.when(local, startTzid, allDay)
  }
  let start = timeOf('dtstart')
  // A UTC time read as a date in the message's zone can pass the year 9999, which no date holds.
  const beyondDates = (name: string, value: string | null) => {
    if (value === null || (/^\d{4}-/.test(value) && Number.isFinite(msOfStored(value)))) return value
    reader.warnings.push(`The ${name} value "${value}" is past the last date a calendar can hold and was ignored.`)
    return null
  }
  start = beyondDates('DTSTART', start)
  end = beyondDates('DTEND', end)
  if (start && end && Date.parse(end.length === 10 ? `${end}T00:00:00Z` : end) < Date.parse(start.length === 10 ? `${start}T00:00:00Z` : start)) {
    reader.warnings.push(`The event ends (${end}) before it starts (${start}); its end was kept as written.`)
  }
  const sequence = Number.parseInt(String(event.getFirstPropertyValue('sequence') ?? '0'), 10)
  const status = String(text(event, 'status') ?? '').toUpperCase()
  const transp = String(text(event, 'transp') ?? '').toUpperCase()
  const recurrence = event.getFirstProperty('recurrence-id')
  const recurrenceValue = reader.firstTime(recurrence)
  const dtstamp = reader.firstTime(event.getFirstProperty('dtstamp'))
  const zoned = Boolean(startTime && !allDay && zone && zone.source !== 'utc')
  let seriesRule = rrule && allDay ? allDayRrule(rrule, reader) : rrule
  const problem = seriesRule ? rruleProblem(seriesRule, startTime) : null
  if (problem) {
    reader.warnings.push(`The RRULE "${seriesRule}" could not be read (${problem}), so only the event's first occurrence and its RDATEs were kept.`)
    seriesRule = null
  }
  return {
    uid: String(text(event, 'uid') ?? '').trim(),
    sequence: Number.isFinite(sequence) ? sequence : 0,
    dtstamp: dtstamp ? reader.when(dtstamp, null, false) : null,
    status: (EVENT_STATUSES as readonly string[]).includes(status) ? (status as EventComponent['status']) : null,
    summary: text(event, 'summary'),
    description: text(event, 'description'),
    location: text(event, 'location'),
    url: text(event, 'url'),
    organizer: personOf(event.getFirstProperty('organizer')),
    attendees: attendeesOf(event, reader.warnings),
    start,
    end,
    allDay,
    timezone: zoned ? zone!.iana : null,
    tzid: zoned && zone!.tzid ? zone!.tzid : null,
    startLocal: zoned && startTime ? isoLocal(wallClockOfTime(startTime)) : null,
    vtimezone: zoned ? reader.vtimezoneOf(zone!) : null,
    rrule: seriesRule,
    exdates: timeList(event, 'exdate', reader, allDay),
    rdates: timeList(event, 'rdate', reader, allDay),
    recurrenceId: recurrenceValue ? reader.when(recurrenceValue, paramText(recurrence!, 'tzid'), allDay) : null,
    thisAndFuture: (recurrence ? paramText(recurrence, 'range') : null)?.toUpperCase() === 'THISANDFUTURE',
    transp: (TRANSPS as readonly string[]).includes(transp) ? (transp as EventComponent['transp']) : null,
  }
}

/**
 * The properties the scheduling rules read. Everything else (alarms, X-ALT-DESC HTML,
 * conference data, X-MICROSOFT-*) is dropped before parsing: about half of the parse time
 * went to them, and a malformed value there must not cost the invitation.
 */
const KEPT_PROPERTIES = new Set([
  'BEGIN', 'END', 'METHOD', 'PRODID', 'VERSION',
  'UID', 'SEQUENCE', 'DTSTAMP', 'DTSTART', 'DTEND', 'DURATION', 'RRULE', 'EXDATE', 'RDATE', 'RECURRENCE-ID',
  'STATUS', 'SUMMARY', 'DESCRIPTION', 'LOCATION', 'URL', 'ORGANIZER', 'ATTENDEE', 'TRANSP',
])

export interface KeptCalendar {
  text: string
  /** Time properties left out because their values cannot be read, each as a sentence. */
  warnings: string[]
  /** Each VEVENT's RRULE as written (spaces removed), in the order of the VEVENTs; null for none. */
  rrules: (string | null)[]
  /** Each VTIMEZONE's text as written, by its TZID. */
  vtimezones: Map<string, string>
  /** How many EXDATE and RDATE values the events list (commas counted). */
  timeValues: number
}

const unfold = (line: string) => line.replace(/\r?\n[ \t]/g, '')

const DATE_PROPERTIES = new Set(['DTSTART', 'DTEND', 'RECURRENCE-ID', 'EXDATE', 'RDATE'])

/** A logical line's parameters and value: the value starts at the first `:` outside quotes. */
function splitValue(line: string): { head: string; value: string } {
  const unfolded = unfold(line)
  let quoted = false
  for (let at = 0; at < unfolded.length; at++) {
    const char = unfolded[at]
    if (char === '"') quoted = !quoted
    else if (char === ':' && !quoted) return { head: unfolded.slice(0, at), value: unfolded.slice(at + 1).trim() }
  }
  return { head: unfolded, value: '' }
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const DATE = /^(\d{4})(\d{2})(\d{2})$/
const DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z?$/
const DURATION = /^[+-]?P(\d+W|(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?)$/

/** A DATE or DATE-TIME as RFC 5545 §3.3.4-5 writes it, with a month, day and time that exist. */
function isTimeValue(value: string): boolean {
  const match = DATE_TIME.exec(value) ?? DATE.exec(value)
  if (!match) return false
  const [month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(2).map((part) => Number(part ?? 0))
  return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! && hour <= 23 && minute <= 59 && second <= 60
}

/**
 * Whether a time property's values are well formed. ical.js reads `2026111OT150000` as
 * 1 November and month 13 as next January without a word, so values are checked here first.
 */
function timeValuesReadable(value: string): boolean {
  return value.split(',').every((part) => {
    const [start, end, extra] = part.trim().split('/')
    if (extra !== undefined || !isTimeValue(start!)) return false
    return end === undefined || isTimeValue(end) || DURATION.test(end)
  })
}

const TIME_PROPERTIES = new Set(['DTSTART', 'DTEND', 'RECURRENCE-ID', 'EXDATE', 'RDATE', 'DTSTAMP'])

/**
 * What real clients get wrong in lines the rules need, put right before parsing: a date
 * written without VALUE=DATE (Apple iCal 1.0: `DTSTART:20021028`), and `ORGANIZER;mailto:…`
 * with a `;` for the `:` (Zimbra).
 */
function repairLine(name: string, line: string): string {
  if (DATE_PROPERTIES.has(name) && !/;VALUE=/i.test(line)) {
    const value = unfold(line).slice(unfold(line).lastIndexOf(':') + 1).trim()
    if (/^\d{8}(,\d{8})*$/.test(value)) return `${unfold(line).slice(0, unfold(line).lastIndexOf(':'))};VALUE=DATE:${value}`
  }
  if (name === 'ORGANIZER' || name === 'ATTENDEE') return line.replace(/^([^:]*?);(mailto:)/i, '$1:$2')
  return line
}

/**
 * Logical lines (a folded continuation stays with its line) of the kept properties, outside
 * VALARMs and VTIMEZONEs. Each event's RRULE is taken out and returned as text: the rules
 * store it as written, and a rule real clients get wrong (BYDAY lists with spaces) would
 * otherwise make the whole calendar unreadable. VTIMEZONEs are returned whole, as written:
 * zone.ts evaluates them, and keeps each evaluated text for the next message that has it.
 */
export function keepSchedulingProperties(calendarText: string): KeptCalendar {
  const kept: string[] = []
  const rrules: (string | null)[] = []
  const vtimezones = new Map<string, string>()
  const warnings: string[] = []
  let inAlarm = 0
  let inEvent = false
  let zoneLines: string[] | null = null
  let eventRrule: string | null = null
  let timeValues = 0
  for (const line of calendarText.split(/\r?\n(?![ \t])/)) {
    const name = /^([A-Za-z0-9-]+)[;:]/.exec(line)?.[1]?.toUpperCase()
    if (!name) continue
    if (zoneLines) {
      zoneLines.push(line)
      if (name === 'END' && /^END:VTIMEZONE\s*$/i.test(line)) {
        const zone = zoneLines.join('\r\n') + '\r\n'
        const tzid = /^TZID[^:\r\n]*:(.*)$/im.exec(unfold(zone))?.[1]
        if (tzid) vtimezones.set(cleanTzid(tzid), zone)
        zoneLines = null
      }
    } else if (name === 'BEGIN' && /^BEGIN:VTIMEZONE\s*$/i.test(line)) zoneLines = [line]
    else if (name === 'BEGIN' && /^BEGIN:VALARM\s*$/i.test(line)) inAlarm++
    else if (name === 'END' && /^END:VALARM\s*$/i.test(line)) inAlarm = Math.max(0, inAlarm - 1)
    else if (inAlarm || !KEPT_PROPERTIES.has(name)) continue
    else if (inEvent && name === 'RRULE') eventRrule ??= unfold(line).slice(unfold(line).indexOf(':') + 1).replace(/\s+/g, '')
    else {
      if (name === 'BEGIN' && /^BEGIN:VEVENT\s*$/i.test(line)) [inEvent, eventRrule] = [true, null]
      if (name === 'END' && /^END:VEVENT\s*$/i.test(line)) {
        inEvent = false
        rrules.push(eventRrule || null)
      }
      if (name === 'EXDATE' || name === 'RDATE') timeValues += splitValue(line).value.split(',').length
      if (TIME_PROPERTIES.has(name) && !timeValuesReadable(splitValue(line).value)) {
        warnings.push(`The ${name} value "${splitValue(line).value}" could not be read and was ignored.`)
        continue
      }
      kept.push(repairLine(name, line))
    }
  }
  return { text: kept.join('\r\n') + '\r\n', rrules, vtimezones, warnings, timeValues }
}

/** The bodies of each VCALENDAR in a text (files may hold a stream of several). */
export function splitCalendars(calendarText: string): string[] {
  return calendarText.match(/BEGIN:VCALENDAR[\s\S]*?END:VCALENDAR/gi) ?? []
}

/** The first component left open in the text (a calendar cut short), innermost first. */
function unclosedComponent(calendarText: string): string | null {
  const open: string[] = []
  for (const match of calendarText.matchAll(/^(BEGIN|END):([A-Za-z-]+)\s*$/gim)) {
    const name = match[2]!.toUpperCase()
    if (match[1]!.toUpperCase() === 'BEGIN') open.push(name)
    else if (open.at(-1) === name) open.pop()
  }
  return open.at(-1) ?? null
}

/** The name of the first END that closes something other than the innermost open component. */
function strayEnd(calendarText: string): string | null {
  const open: string[] = []
  for (const match of calendarText.matchAll(/^(BEGIN|END):([A-Za-z-]+)\s*$/gim)) {
    const name = match[2]!.toUpperCase()
    if (match[1]!.toUpperCase() === 'BEGIN') open.push(name)
    else if (open.pop() !== name) return name
  }
  return null
}

/**
 * Reads one scheduling message. `fallbackMethod` is the Content-Type `method=` of the
 * MIME part, used only when the body has no METHOD. Throws NotSchedulingMessage with a
 * sentence a person understands when the text is not something to act on.
 */
export function readCalendar(fullText: string, fallbackMethod: string | null = null): SchedulingMessage {
  if (!/BEGIN:VCALENDAR/i.test(fullText)) throw new NotSchedulingMessage('The calendar part holds no calendar (no BEGIN:VCALENDAR).', 'no-calendar')
  const { text: keptText, rrules, vtimezones, warnings: unreadable, timeValues } = keepSchedulingProperties(fullText)
  // Refused before the work of reading them: an event this large could not be stored.
  if (timeValues > STORAGE_LIMITS.timeValues) {
    throw new NotSchedulingMessage(
      `The calendar lists ${timeValues.toLocaleString('en')} EXDATE and RDATE values; the server keeps at most ${STORAGE_LIMITS.timeValues.toLocaleString('en')} per event.`,
      'unsupported',
    )
  }
  if (rrules.length > STORAGE_LIMITS.overrides + 1) {
    throw new NotSchedulingMessage(
      `The calendar holds ${rrules.length.toLocaleString('en')} VEVENTs; the server keeps one event with at most ${STORAGE_LIMITS.overrides.toLocaleString('en')} changed occurrences.`,
      'unsupported',
    )
  }
  if (splitCalendars(keptText).length > 1) {
    throw new NotSchedulingMessage('The message holds several calendars; a scheduling message carries exactly one.', 'several-uids')
  }
  const unclosed = unclosedComponent(fullText)
  if (unclosed) {
    throw new NotSchedulingMessage(
      `The calendar is incomplete: it ends inside a ${unclosed} (no END:${unclosed}${unclosed === 'VCALENDAR' ? '' : ', no END:VCALENDAR'}), as if the message was cut short.`,
      'unparsable',
    )
  }
  const bodyMethod = /^METHOD[;:]([^\r\n]*)/im.exec(keptText)?.[1]?.split(':').at(-1)?.trim().toUpperCase() ?? ''
  const headerMethod = String(fallbackMethod ?? '').trim().toUpperCase()
  const method = (bodyMethod || headerMethod) as Method
  const mislabelled = bodyMethod && headerMethod && bodyMethod !== headerMethod ? ` (the mail's Content-Type says method=${headerMethod}; the calendar's own METHOD decides)` : ''
  if (!method) throw new NotSchedulingMessage('The calendar has no METHOD, so it is not an invitation, reply or cancellation.', 'no-method')
  if (method === 'PUBLISH') throw new NotSchedulingMessage(`The calendar is published (METHOD:PUBLISH), not sent as an invitation${mislabelled}.`, 'publish')
  if (!METHODS.includes(method)) throw new NotSchedulingMessage(`The calendar's METHOD ${method} is not an iTIP method${mislabelled}.`, 'unsupported')

  let parsed: unknown[]
  try {
    parsed = ICAL.parse(keptText) as unknown[]
  } catch (error) {
    throw new NotSchedulingMessage(`The calendar could not be read: ${(error as Error).message}.`, 'unparsable')
  }
  // ical.js closes whatever is open at an END, so an END without its BEGIN leaves several roots.
  if (typeof parsed[0] !== 'string') {
    throw new NotSchedulingMessage(`The calendar could not be read: END:${strayEnd(keptText) ?? 'VCALENDAR'} closes no component that was begun, so its parts do not nest.`, 'unparsable')
  }
  const root = new ICAL.Component(parsed)
  const calendar = root.name === 'vcalendar' ? root : root.getFirstSubcomponent('vcalendar')
  if (!calendar) throw new NotSchedulingMessage('The calendar is incomplete (no VCALENDAR).', 'unparsable')

  const events = calendar.getAllSubcomponents('vevent')
  if (events.length === 0) {
    const kinds = [...new Set(calendar.getAllSubcomponents().map((c) => c.name.toUpperCase()))]
    throw new NotSchedulingMessage(
      kinds.length ? `The calendar carries ${kinds.join(', ')}, not an event; only events are supported.` : 'The calendar carries no event (no VEVENT).',
      'unsupported',
    )
  }

  const warnings: string[] = [...unreadable]
  if (mislabelled) warnings.push(`The mail's Content-Type says method=${headerMethod}, the calendar says METHOD:${bodyMethod}; the calendar's own METHOD was followed.`)
  const reader = new TimeReader(vtimezones, warnings)
  // Zones first, in the order the events use them, so an all-day series' UTC times read in
  // the zone its other times name.
  for (const event of events) {
    for (const property of event.getAllProperties()) {
      const tzid = paramText(property, 'tzid')
      const value = tzid ? reader.firstTime(property) : null
      if (value) reader.zoneOf(value, tzid)
    }
  }
  let master: EventComponent | null = null
  const overrides: EventComponent[] = []
  for (const [index, event] of events.entries()) {
    const component = componentOf(event, rrules[index] ?? null, reader)
    if (component.recurrenceId) overrides.push(component)
    else if (master) throw new NotSchedulingMessage('The calendar holds more than one event; a scheduling message is about one.', 'several-uids')
    else master = component
  }
  // One per RECURRENCE-ID: the last written wins, as a calendar store would keep it.
  const byRecurrenceId = new Map(overrides.map((o) => [o.recurrenceId!, o]))
  const uniqueOverrides = [...byRecurrenceId.values()].sort((a, b) => a.recurrenceId!.localeCompare(b.recurrenceId!))

  const uids = new Set([master, ...uniqueOverrides].filter(Boolean).map((c) => c!.uid))
  if (uids.has('') || uids.size === 0) throw new NotSchedulingMessage('The event has no UID, so it cannot be matched to later updates.', 'no-uid')
  if (uids.size > 1) throw new NotSchedulingMessage(`The calendar is about ${uids.size} different events (UIDs); a scheduling message is about one.`, 'several-uids')

  return {
    method,
    prodid: text(calendar, 'prodid'),
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
