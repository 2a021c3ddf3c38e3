/**
 * The public page's `.ics` (buildPublishedCalendar): METHOD:PUBLISH, the event's own UID so a
 * later invitation lands on the same entry, the whole series (RRULE, EXDATE, RDATE, an
 * override, VTIMEZONE), and nobody's address. Read back by node-ical and, for the
 * occurrences, by the python referee (tests/referee).
 */
import { describe, it, expect } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ical from 'node-ical'
import { buildPublishedCalendar } from '../../../../../server/domain/invite/build-invitation'
import { occurrencesOf } from '../../../../../server/domain/ical/occurrences'
import type { EventState } from '../../../../../server/domain/itip/event-state'
import { asServer, calendarFolder } from '../../../../support/calendar-cases'
import { refereeAvailable, refereeOccurrences } from '../../../../support/referee'

/** What node-ical gives for a VEVENT (its types do not say). */
type ParsedEvent = { uid: string; summary: string; start: Date; rrule?: { toString(): string }; exdate?: Record<string, Date>; recurrences?: Record<string, { start: Date }> }

const NOW = new Date('2026-11-23T12:00:00Z')
const series: EventState = {
  uid: 'weekly-public@example.com', organizer: { email: 'olga@example.com', name: 'Olga' }, summary: 'Weekly sync <script>', description: 'Join https://meet.google.com/abc-defg-hij',
  location: 'Room 1', url: null, start: '2027-03-02T09:00:00Z', end: '2027-03-02T10:00:00Z', allDay: false, timezone: 'Europe/Berlin', tzid: 'Europe/Berlin',
  startLocal: '2027-03-02T10:00:00', vtimezone: null, transp: null, rrule: 'FREQ=WEEKLY;COUNT=6', exdates: ['2027-03-16T09:00:00Z'], rdates: ['2027-04-20T08:00:00Z'],
  status: 'CONFIRMED', sequence: 2, dtstamp: '2026-11-01T00:00:00Z', prodid: null,
  instances: { '2027-03-23T09:00:00Z': { recurrenceId: '2027-03-23T09:00:00Z', start: '2027-03-23T13:00:00Z', end: '2027-03-23T14:00:00Z', sequence: 2, dtstamp: '2026-11-01T00:00:00Z', summary: 'Weekly sync (moved)', location: null, status: 'CONFIRMED' } },
}
const allDay: EventState = { ...series, uid: 'offsite@example.com', summary: 'Offsite', start: '2027-06-01', end: '2027-06-03', allDay: true, timezone: null, tzid: null, startLocal: null, rrule: null, exdates: [], rdates: [], instances: {} }

const lines = (text: string) => text.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean)

describe('buildPublishedCalendar', () => {
  const text = buildPublishedCalendar(series, 5, NOW)

  it('is METHOD:PUBLISH with the event\'s UID and the invitations\' SEQUENCE, and names nobody', () => {
    const all = lines(text)
    expect(all).toContain('METHOD:PUBLISH')
    expect(all.filter((line) => line === 'UID:weekly-public@example.com')).toHaveLength(2)
    expect(all.filter((line) => line.startsWith('SEQUENCE:')).every((line) => line === 'SEQUENCE:5')).toBe(true)
    expect(text).not.toMatch(/^(ATTENDEE|ORGANIZER)[;:]/m)
    expect(text).not.toContain('olga@example.com')
    expect(text.endsWith('\r\n')).toBe(true)
  })

  it('carries the whole series: a VTIMEZONE, RRULE, EXDATE, RDATE and the moved occurrence', () => {
    const all = lines(text)
    expect(all).toContain('BEGIN:VTIMEZONE')
    expect(all).toContain('TZID:Europe/Berlin')
    expect(all).toContain('DTSTART;TZID=Europe/Berlin:20270302T100000')
    expect(all).toContain('RRULE:FREQ=WEEKLY;COUNT=6')
    expect(all).toContain('EXDATE;TZID=Europe/Berlin:20270316T100000')
    expect(all).toContain('RDATE;TZID=Europe/Berlin:20270420T100000')
    expect(all).toContain('RECURRENCE-ID;TZID=Europe/Berlin:20270323T100000')
  })

  it('reads back in node-ical as the same series', () => {
    const parsed = Object.values(ical.sync.parseICS(text)).filter((item) => item?.type === 'VEVENT') as unknown as ParsedEvent[]
    expect(parsed).toHaveLength(1)
    const master = parsed[0]!
    expect(master.uid).toBe('weekly-public@example.com')
    expect(master.summary).toBe('Weekly sync <script>')
    expect(master.start.toISOString()).toBe('2027-03-02T09:00:00.000Z')
    // node-ical keys each EXDATE and override both by its date and by its instant.
    expect([...new Set(Object.values(master.exdate ?? {}).map((date) => date.toISOString()))]).toEqual(['2027-03-16T09:00:00.000Z'])
    expect([...new Set(Object.values(master.recurrences ?? {}).map((override) => override.start.toISOString()))]).toEqual(['2027-03-23T13:00:00.000Z'])
  })

  it('writes an all-day event with DATE values and an exclusive end', () => {
    const all = lines(buildPublishedCalendar(allDay, 0, NOW))
    expect(all).toContain('DTSTART;VALUE=DATE:20270601')
    expect(all).toContain('DTEND;VALUE=DATE:20270603')
    expect(all).toContain('METHOD:PUBLISH')
  })

  it('says a cancelled event is cancelled', () => {
    expect(lines(buildPublishedCalendar({ ...series, status: 'CANCELLED' }, 6, NOW))).toContain('STATUS:CANCELLED')
  })

  const missing = refereeAvailable()
  it.skipIf(missing)(`has the server's occurrences as the python referee computes them${missing ? ` (skipped: ${missing})` : ''}`, async () => {
    const path = join(calendarFolder, 'published-weekly.ics')
    writeFileSync(path, text)
    const verdict = (await refereeOccurrences([{ path, from: '2027-03-01', to: '2027-05-01' }]))[path]
    expect(verdict?.ok, JSON.stringify(verdict)).toBe(true)
    const referee = verdict!.ok ? verdict!.events.flatMap((event) => event.occurrences).filter((o) => o.status !== 'CANCELLED').map((o) => ({ start: asServer(o.start), end: asServer(o.end) })) : []
    const server = occurrencesOf(series, '2027-03-01T00:00:00Z', '2027-05-01T00:00:00Z').map(({ start, end }) => ({ start, end }))
    expect(referee.map((o) => o.start)).toEqual(['2027-03-02T09:00:00Z', '2027-03-09T09:00:00Z', '2027-03-23T13:00:00Z', '2027-03-30T08:00:00Z', '2027-04-06T08:00:00Z', '2027-04-20T08:00:00Z'])
    expect(referee.map((o) => o.start)).toEqual(server.map((o) => o.start.replace(/\.000Z$/, 'Z')))
  })
})
