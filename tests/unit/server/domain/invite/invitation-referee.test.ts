/**
 * Deliver 4 of the writing issue: the invitation the server sends has the organizer's
 * occurrences, as an independent parser computes them (python icalendar +
 * recurring-ical-events, tests/referee): for every event of every calendar in the corpus
 * and in tests/fixtures/ical, and for weekly series in zones with unusual rules, all-day
 * series, and series starting in a DST gap and in a fold. Every VTIMEZONE written gives the
 * runtime's offset at every occurrence, read by Mozilla's ical.js (Thunderbird's parser).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ICAL from 'ical.js'
import { buildInvitation } from '../../../../../server/domain/invite/build-invitation'
import { offsetMinutes } from '../../../../../server/domain/invite/vtimezone'
import { occurrencesOf } from '../../../../../server/domain/ical/occurrences'
import { ianaZone, instantOf, isoInstant, wallClockIn } from '../../../../../server/domain/ical/zone'
import type { EventState } from '../../../../../server/domain/itip/event-state'
import { hasCorpus } from '../../../../corpus'
import { asServer, calendarFolder, inside, refereeWrongFor, sources, storedSeries, windowOf, type Case } from '../../../../support/calendar-cases'
import { refereeAvailable, refereeOccurrences, type RefereeResult } from '../../../../support/referee'
import { icaljsList } from '../../../../support/icaljs-occurrences'

const RSVP = 'rsvp@events.example.com'
const NOW = new Date('2026-11-23T12:00:00Z')
const missing = refereeAvailable()

/** The invitation for `event`, written where the referee can read it. */
function invitationFile(name: string, event: EventState): { path: string; text: string } {
  const text = buildInvitation(event, { replyTo: RSVP, recipient: { email: 'bob@example.org', name: 'Bob' }, now: NOW })
  const path = join(calendarFolder, `invitation-${name.replace(/\W+/g, '_')}.ics`)
  writeFileSync(path, text)
  return { path, text }
}

const shown = (list: string[]) => `${list.slice(0, 4).join(', ') || '-'}${list.length > 4 ? ` (+${list.length - 4})` : ''}`

/** The referee's occurrences of one event (cancelled ones left out), as the server writes times. */
function refereeList(verdict: RefereeResult | undefined, uid: string) {
  if (!verdict?.ok) return null
  return verdict.events
    .filter((e) => e.uid === uid)
    .flatMap((e) => e.occurrences)
    .filter((o) => o.status !== 'CANCELLED')
    .map((o) => ({ start: asServer(o.start), end: asServer(o.end) }))
}

/**
 * Invitations python's referee cannot judge, and why; ical.js expands them instead, and
 * what it finds must equal what the server stored.
 */
const pythonCannotJudge: Record<string, string> = {
  'ics/zimbra__icaljs__recur-instances.ics': 'dateutil cannot sort PERIOD-valued RDATEs (and ical.js hands them over as periods, read as such below).',
  'fixtures/ical/lotus-notes-eastern-short-tzid.ics': 'dateutil cannot sort PERIOD-valued RDATEs (and ical.js hands them over as periods, read as such below).',
  'fixtures/ical/cdo-sarajevo-1601.ics': "dateutil compares UNTIL in DTSTART's offset and drops the last occurrence after a DST change, exactly at UNTIL.",
}

/** Events whose invitation says less than the original, on purpose, and why: only their starts are compared. */
const invitationLeavesOut: Record<string, string> = {
  'ics/mixed__node-ical__tzone-microsoft-custom.ics #2': 'a negative DURATION ends the event before it starts; the invitation leaves that end out.',
  'ics/rfc__libical__2446-all-examples.ics #3': 'DTEND (1 July) is before DTSTART (2 July); the invitation leaves that end out.',
}

/** Where two lists of occurrences differ, in a sentence; null when they are the same. */
function difference(ours: string[], theirs: string[]): string | null {
  const onlyOurs = ours.filter((o) => !theirs.includes(o))
  const onlyTheirs = theirs.filter((o) => !ours.includes(o))
  return onlyOurs.length || onlyTheirs.length ? `only the invitation ${shown(onlyOurs)}; only the original ${shown(onlyTheirs)}` : null
}

/**
 * Offsets the written VTIMEZONE gives (read by ical.js) that differ from the runtime's, at
 * every occurrence of the invitation (wall-clock times in the gaps of spring-forward days
 * have no offset of their own and are left out).
 */
function vtimezoneMismatches(text: string, occurrences: { start: string }[]): string[] {
  const calendar = new ICAL.Component(ICAL.parse(text))
  const component = calendar.getFirstSubcomponent('vtimezone')
  if (!component) return []
  const tzid = String(component.getFirstPropertyValue('tzid'))
  const zone = new ICAL.Timezone({ component, tzid })
  const wrong: string[] = []
  for (const { start } of occurrences) {
    if (start.length === 10) continue
    const at = Date.parse(start)
    let iana: number
    try {
      iana = offsetMinutes(tzid, at)
    } catch {
      return [] // Not an IANA zone: the organizer's own VTIMEZONE, checked by the occurrences.
    }
    const local = wallClockIn(at, ianaZone(tzid))
    const said = zone.utcOffset(ICAL.Time.fromData({ ...local, isDate: false })) / 60
    if (said !== iana) wrong.push(`${start}: VTIMEZONE ${said}, runtime ${iana}`)
  }
  return wrong
}

describe.skipIf(Boolean(missing))(`invitations keep the organizer's occurrences${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const cases: (Case & { invitation: { path: string; text: string } })[] = []
  let verdicts: Record<string, RefereeResult> = {}

  beforeAll(async () => {
    for (const source of sources) for (const found of await storedSeries(source)) cases.push({ ...found, invitation: invitationFile(found.name, found.event) })
    const files = cases.flatMap((c) => [c.path, c.invitation.path].map((path) => ({ path, ...windowOf(c.event) })))
    verdicts = await refereeOccurrences(files)
  }, 120_000)

  it.skipIf(!hasCorpus)('sends every corpus event the server stores', () => {
    expect(new Set(cases.filter((c) => !c.name.startsWith('fixtures/')).map((c) => c.name.split(' ')[0])).size).toBeGreaterThan(45)
  })

  it('gives every invitation the occurrences of the original (or, where the referee misreads the original, of what the server stored)', () => {
    const problems: string[] = []
    for (const { name, path, event, invitation } of cases) {
      const window = windowOf(event)
      if (pythonCannotJudge[name.split(' ')[0]!]) {
        const stored = occurrencesOf(event, window.from, window.to).filter((o) => o.status !== 'CANCELLED')
        const why = difference(inside(icaljsList(invitation.text, event.uid, window.from, window.to), window).sort(), inside(stored, window).sort())
        if (why) problems.push(`${name} (read by ical.js): ${why}`)
        continue
      }
      const sent = refereeList(verdicts[invitation.path], event.uid)
      if (!sent) {
        problems.push(`${name}: the referee could not read the invitation (${(verdicts[invitation.path] as { error?: string })?.error})`)
        continue
      }
      // The original as the referee reads it, unless it is one the referee gets wrong: then
      // what the server stored, which the reading tests check against hand-computed times.
      const original = refereeWrongFor(name)
        ? occurrencesOf(event, window.from, window.to).filter((o) => o.status !== 'CANCELLED')
        : refereeList(verdicts[path], event.uid)
      if (!original) continue
      const startsOnly = invitationLeavesOut[name.split(' ').slice(0, 2).join(' ')]
      const comparable = (list: { start: string; end: string }[]) => (startsOnly ? list.map((o) => ({ start: o.start, end: '' })) : list)
      const why = difference(inside(comparable(sent), window).sort(), inside(comparable(original), window).sort())
      if (why) problems.push(`${name}: ${why}`)
      for (const mismatch of vtimezoneMismatches(invitation.text, sent)) problems.push(`${name}: ${mismatch}`)
    }
    expect(problems).toEqual([])
  })
})

/** A weekly series at a wall-clock time in an IANA zone, as the server stores one read from Google. */
function weeklySeries(zone: string, local: string, count: number, extra: Partial<EventState> = {}): EventState {
  const [date, time] = local.split('T')
  const [year, month, day] = date!.split('-').map(Number)
  const [hour, minute] = time!.split(':').map(Number)
  const start = instantOf({ year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: 0 }, ianaZone(zone))
  return {
    uid: `weekly-${zone.replace(/\W/g, '-')}-${local}@tests.example`, organizer: { email: 'olga@example.com', name: 'Olga' }, summary: `Weekly in ${zone}`,
    description: null, location: null, url: null, start: isoInstant(start), end: isoInstant(start + 45 * 60_000), allDay: false,
    timezone: zone, tzid: zone, startLocal: `${date}T${time}:00`, vtimezone: null, transp: null,
    rrule: `FREQ=WEEKLY;COUNT=${count}`, exdates: [], rdates: [], status: 'CONFIRMED', sequence: 0, dtstamp: '2026-11-01T00:00:00Z', prodid: null, instances: {},
    ...extra,
  }
}

/** The organizer's calendar for a synthetic series: TZID by IANA name, no VTIMEZONE (the referee uses its own zone data). */
function originalOf(event: EventState): string {
  const local = event.startLocal!.replace(/[-:]/g, '')
  const pad = (n: number) => String(n).padStart(2, '0')
  const text = (w: ReturnType<typeof wallClockIn>) => `${w.year}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`
  // The end's wall-clock time; in a fold, where that reads earlier than the start, the start's plus the length, as a client writes it.
  let end = wallClockIn(Date.parse(event.end!), ianaZone(event.tzid!))
  if (text(end) <= local) end = wallClockIn(Date.parse(`${event.startLocal}Z`) + (Date.parse(event.end!) - Date.parse(event.start)), { tzid: null, iana: null, source: 'utc', offsetAt: () => 0 })
  const endLocal = text(end)
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//CIS tests//synthetic//EN', 'METHOD:REQUEST', 'BEGIN:VEVENT', `UID:${event.uid}`, 'DTSTAMP:20261101T000000Z',
    `DTSTART;TZID=${event.tzid}:${local}`, `DTEND;TZID=${event.tzid}:${endLocal}`, `RRULE:${event.rrule}`, 'SUMMARY:synthetic', 'ORGANIZER:mailto:olga@example.com',
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n')
}

describe.skipIf(Boolean(missing))(`weekly series in zones with unusual rules${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const series: [string, EventState][] = [
    ['Lord Howe (half-hour DST)', weeklySeries('Australia/Lord_Howe', '2026-01-08T09:30', 110)],
    ['Casablanca (Ramadan pauses)', weeklySeries('Africa/Casablanca', '2024-01-10T09:30', 110)],
    ['Tehran (DST ended 2022)', weeklySeries('Asia/Tehran', '2021-06-02T09:30', 110)],
    ["Dublin (negative DST in tzdata)", weeklySeries('Europe/Dublin', '2026-01-07T09:30', 110)],
    ['Santiago', weeklySeries('America/Santiago', '2026-01-07T09:30', 110)],
    ['Nuuk (rules changed 2023)', weeklySeries('America/Nuuk', '2022-06-01T09:30', 160)],
    ['Cairo across its 2023 change', weeklySeries('Africa/Cairo', '2022-03-02T09:30', 110)],
    ['Moscow 2011-2014', weeklySeries('Europe/Moscow', '2011-01-05T09:30', 220)],
    ['Chatham (+12:45)', weeklySeries('Pacific/Chatham', '2026-01-07T09:30', 110)],
    ["St John's (-3:30)", weeklySeries('America/St_Johns', '2026-01-07T09:30', 110)],
    ['Kathmandu (+5:45)', weeklySeries('Asia/Kathmandu', '2026-01-07T09:30', 60)],
    ['Jerusalem (Friday before last Sunday)', weeklySeries('Asia/Jerusalem', '2026-01-07T09:30', 110)],
    ['New York, starting in the spring-forward gap', weeklySeries('America/New_York', '2026-03-08T02:30', 12)],
    ['New York, starting in the autumn fold', weeklySeries('America/New_York', '2026-11-01T01:30', 12)],
    ['Berlin, with an override and a cancelled occurrence', weeklySeries('Europe/Berlin', '2026-03-02T09:00', 12, {
      exdates: ['2026-03-16T08:00:00Z'],
      instances: {
        '2026-03-30T07:00:00Z': { recurrenceId: '2026-03-30T07:00:00Z', start: '2026-03-30T12:00:00Z', end: '2026-03-30T12:45:00Z', status: 'CONFIRMED', sequence: 0, dtstamp: null, summary: null, location: null },
        '2026-04-06T07:00:00Z': { recurrenceId: '2026-04-06T07:00:00Z', start: null, end: null, status: 'CANCELLED', sequence: 0, dtstamp: null, summary: null, location: null },
      },
    })],
  ]
  const allDay: [string, EventState][] = [
    ['an all-day series with an override and EXDATEs', {
      ...weeklySeries('Europe/Berlin', '2026-02-23T00:00', 8), start: '2026-02-23', end: '2026-02-24', allDay: true, timezone: null, tzid: null, startLocal: null,
      rrule: 'FREQ=WEEKLY;UNTIL=20260330', exdates: ['2026-03-02'],
      instances: { '2026-03-09': { recurrenceId: '2026-03-09', start: '2026-03-10', end: '2026-03-11', status: 'CONFIRMED', sequence: 0, dtstamp: null, summary: null, location: null } },
    }],
  ]
  let verdicts: Record<string, RefereeResult> = {}
  const files = new Map<string, { original: string; invitation: { path: string; text: string } }>()

  beforeAll(async () => {
    for (const [name, event] of [...series, ...allDay]) {
      const original = join(calendarFolder, `synthetic-${name.replace(/\W+/g, '_')}.ics`)
      writeFileSync(original, event.allDay ? buildInvitation({ ...event, instances: {} }, { replyTo: RSVP, recipient: { email: 'x@example.org', name: null }, now: NOW }) : originalOf(event))
      files.set(name, { original, invitation: invitationFile(`synthetic ${name}`, event) })
    }
    verdicts = await refereeOccurrences([...files.values()].flatMap((f) => [{ path: f.original }, { path: f.invitation.path }]))
  }, 120_000)

  it.each(series)('%s: the invitation has the organizer\'s occurrences, and its VTIMEZONE the runtime\'s offsets', (name, event) => {
    const { original, invitation } = files.get(name)!
    const sent = refereeList(verdicts[invitation.path], event.uid)!
    const window = windowOf(event)
    // The organizer's series, as the server stores it, with the override and the cancellation applied.
    const stored = occurrencesOf(event, window.from, window.to).filter((o) => o.status !== 'CANCELLED')
    const organizers = Object.keys(event.instances).length || event.exdates.length ? stored : refereeList(verdicts[original], event.uid)!
    expect(sent.length).toBeGreaterThan(5)
    // In a fold, both referees read the repeated hour as its second pass; RFC 5545 §3.3.5 (and
    // the server) its first: the first occurrence of a series starting there is left to them.
    const unambiguous = (list: string[]) => (name.includes('fold') ? list.slice(1) : list)
    expect(difference(inside(sent, window).sort(), inside(organizers, window).sort())).toBeNull()
    expect(difference(unambiguous(inside(stored, window).sort()), unambiguous(inside(organizers, window).sort()))).toBeNull()
    expect(vtimezoneMismatches(invitation.text, sent)).toEqual([])
  })

  it('keeps the wall-clock time of a series that starts in a gap: 02:30 every week, 03:30 only on the day 02:30 does not exist', () => {
    const sent = refereeList(verdicts[files.get('New York, starting in the spring-forward gap')!.invitation.path], series[12]![1].uid)!
    expect(sent.slice(0, 3).map((o) => o.start)).toEqual(['2026-03-08T07:30:00Z', '2026-03-15T06:30:00Z', '2026-03-22T06:30:00Z'])
  })

  it.each(allDay)('%s: every value a DATE, the override and the exceptions where the organizer put them', (name, event) => {
    const { invitation } = files.get(name)!
    const sent = refereeList(verdicts[invitation.path], event.uid)!
    expect(sent.map((o) => o.start)).toEqual(['2026-02-23', '2026-03-10', '2026-03-16', '2026-03-23', '2026-03-30'])
    expect(invitation.text).toMatch(/^RECURRENCE-ID;VALUE=DATE:20260309\r$/m)
    expect(invitation.text).toMatch(/^EXDATE;VALUE=DATE:20260302\r$/m)
    expect(invitation.text).toMatch(/^RRULE:FREQ=WEEKLY;UNTIL=20260330\r$/m)
  })
})
