/**
 * The feed's calendar (issue 15 item 6): METHOD:PUBLISH with the feed's name, each event with
 * its own UID and SEQUENCE, no addresses, whole series with their exceptions and one
 * VTIMEZONE per zone; its times as two independent parsers read them (python icalendar +
 * recurring-ical-events, tests/referee; node-ical) equal the server's own occurrences.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ical from 'node-ical'
import ICAL from 'ical.js'
import { buildFeedCalendar, type FeedEntry } from '../../../../../server/domain/feed/feed-calendar'
import { occurrencesOf } from '../../../../../server/domain/ical/occurrences'
import { offsetMinutes } from '../../../../../server/domain/invite/vtimezone'
import { ianaZone, wallClockIn } from '../../../../../server/domain/ical/zone'
import type { EventState } from '../../../../../server/domain/itip/event-state'
import { asServer, calendarFolder } from '../../../../support/calendar-cases'
import { refereeAvailable, refereeOccurrences, type RefereeResult } from '../../../../support/referee'

const base: EventState = {
  uid: 'base@example.com', organizer: { email: 'olga@example.com', name: 'Olga Ørganizer' }, summary: 'Talk', description: null, location: null, url: null,
  start: '2027-03-15T09:00:00Z', end: '2027-03-15T10:00:00Z', allDay: false, timezone: null, tzid: null, startLocal: null, vtimezone: null, transp: null,
  rrule: null, exdates: [], rdates: [], status: 'CONFIRMED', sequence: 0, dtstamp: '2026-11-01T00:00:00Z', prodid: null, instances: {},
}

/** A single event in Berlin (written in UTC). */
const zoned: EventState = { ...base, uid: 'zoned@example.com', summary: 'Zoned talk; part 1', timezone: 'Europe/Berlin', start: '2027-07-01T16:30:00Z', end: '2027-07-01T18:00:00Z' }
/** A three-day all-day event. */
const allDay: EventState = { ...base, uid: 'allday@example.com', summary: 'Festival', allDay: true, start: '2027-05-01', end: '2027-05-04' }
/**
 * A weekly series in Berlin across the spring DST change (09:00 local stays 09:00): one
 * occurrence excluded, one cancelled, one moved to the afternoon, one extra date.
 */
const series: EventState = {
  ...base, uid: 'weekly@example.com', summary: 'Weekly standup', timezone: 'Europe/Berlin', tzid: 'Europe/Berlin', startLocal: '2027-03-15T09:00:00',
  start: '2027-03-15T08:00:00Z', end: '2027-03-15T08:30:00Z', rrule: 'FREQ=WEEKLY;COUNT=8', exdates: ['2027-03-22T08:00:00Z'], rdates: ['2027-05-20T07:00:00Z'], sequence: 2,
  instances: {
    '2027-04-05T07:00:00Z': { recurrenceId: '2027-04-05T07:00:00Z', start: '2027-04-05T12:00:00Z', end: '2027-04-05T13:00:00Z', status: 'CONFIRMED', sequence: 3, dtstamp: null, summary: 'Standup (afternoon)', location: null },
    '2027-04-12T07:00:00Z': { recurrenceId: '2027-04-12T07:00:00Z', start: null, end: null, status: 'CANCELLED', sequence: 3, dtstamp: null, summary: null, location: null },
  },
}
/** A daily series in New York: a second zone. */
const newYork: EventState = {
  ...base, uid: 'ny@example.com', summary: 'NY daily', timezone: 'America/New_York', tzid: 'America/New_York', startLocal: '2027-03-10T18:00:00',
  start: '2027-03-10T23:00:00Z', end: '2027-03-11T00:00:00Z', rrule: 'FREQ=DAILY;COUNT=5',
}
/** A weekly all-day series with one date left out. */
const allDaySeries: EventState = { ...base, uid: 'allday-weekly@example.com', summary: 'Market day', allDay: true, start: '2027-06-05', end: '2027-06-06', rrule: 'FREQ=WEEKLY;COUNT=4', exdates: ['2027-06-12'] }
/** A cancelled event. */
const cancelled: EventState = { ...base, uid: 'cancelled@example.com', summary: 'Called off', status: 'CANCELLED', sequence: 4, start: '2027-08-01T10:00:00Z', end: '2027-08-01T11:00:00Z' }

const entry = (event: EventState, sequence: number, changedAt = '2026-11-20T10:00:00.000Z'): FeedEntry => ({ event, sequence, changedAt, pageUrl: `https://cis.example.com/events/${event.uid.slice(0, 4)}AAAAAAAAAAAA` })
const entries = [entry(newYork, 0), entry(series, 5, '2026-11-21T08:15:30.000Z'), entry(allDay, 1), entry(allDaySeries, 0), entry(zoned, 2), entry(cancelled, 6)]
const feed = buildFeedCalendar({ name: 'Events of Olga Ørganizer', url: 'https://cis.example.com/organizers/AAAAAAAAAAAAAAAA' }, entries)

const unfolded = (text: string) => text.replace(/\r\n[ \t]/g, '')
const linesOf = (text: string) => unfolded(text).split('\r\n').filter(Boolean)
const blocksOf = (text: string, name: string) => unfolded(text).match(new RegExp(`BEGIN:${name}[\\s\\S]*?END:${name}`, 'g')) ?? []
const vevents = (uid: string) => blocksOf(feed, 'VEVENT').filter((block) => block.includes(`\r\nUID:${uid}\r\n`))

describe('buildFeedCalendar', () => {
  it('is a PUBLISH calendar named for whose events they are, with a refresh hint', () => {
    const lines = linesOf(feed)
    expect(lines[0]).toBe('BEGIN:VCALENDAR')
    expect(lines).toEqual(expect.arrayContaining(['METHOD:PUBLISH', 'X-WR-CALNAME:Events of Olga Ørganizer', 'NAME:Events of Olga Ørganizer', 'REFRESH-INTERVAL;VALUE=DURATION:PT1H', 'URL:https://cis.example.com/organizers/AAAAAAAAAAAAAAAA']))
    expect(feed.endsWith('END:VCALENDAR\r\n')).toBe(true)
    // Folded at 75 octets.
    for (const line of feed.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75)
  })

  it('writes each event with its own UID, the SEQUENCE of its invitations and DTSTAMP when it last changed', () => {
    expect(vevents('weekly@example.com')[0]).toMatch(/\r\nSEQUENCE:5\r\n/)
    expect(vevents('weekly@example.com')[0]).toMatch(/\r\nDTSTAMP:20261121T081530Z\r\n/)
    expect(vevents('zoned@example.com')).toHaveLength(1)
    expect(vevents('zoned@example.com')[0]).toMatch(/\r\nSEQUENCE:2\r\n/)
    expect(vevents('cancelled@example.com')[0]).toMatch(/\r\nSEQUENCE:6\r\n/)
    // The override keeps its own higher SEQUENCE; the cancelled occurrence is an EXDATE.
    const [, moved] = vevents('weekly@example.com')
    expect(moved).toMatch(/\r\nRECURRENCE-ID;TZID=Europe\/Berlin:20270405T090000\r\n/)
    expect(moved).toMatch(/\r\nSEQUENCE:5\r\n/)
    expect(vevents('weekly@example.com')[0]).toContain('\r\nEXDATE;TZID=Europe/Berlin:20270322T090000,20270412T090000\r\n')
    expect(vevents('weekly@example.com')[0]).toContain('\r\nRDATE;TZID=Europe/Berlin:20270520T090000\r\n')
  })

  it('names no address at all: no ORGANIZER, no ATTENDEE', () => {
    expect(feed).not.toMatch(/^(ORGANIZER|ATTENDEE)/m)
    expect(feed).not.toContain('olga@example.com')
  })

  it('writes a cancelled event as STATUS:CANCELLED, the others as confirmed', () => {
    expect(vevents('cancelled@example.com')[0]).toMatch(/\r\nSTATUS:CANCELLED\r\n/)
    expect(vevents('zoned@example.com')[0]).toMatch(/\r\nSTATUS:CONFIRMED\r\n/)
  })

  it('links each event to its public page when it has no link of its own', () => {
    expect(vevents('zoned@example.com')[0]).toMatch(/\r\nURL;VALUE=URI:https:\/\/cis\.example\.com\/events\/zoneAAAAAAAAAAAA\r\n/)
  })

  it('writes one VTIMEZONE per zone a series uses, each giving the right offset at every occurrence', () => {
    const zones = blocksOf(feed, 'VTIMEZONE')
    expect(zones.map((z) => /\r\nTZID:(.+?)\r\n/.exec(z)![1]).sort()).toEqual(['America/New_York', 'Europe/Berlin'])
    // Single and all-day events are in UTC or dates: nothing else names a zone.
    expect([...new Set(unfolded(feed).match(/TZID=[^:;]+/g))].sort()).toEqual(['TZID=America/New_York', 'TZID=Europe/Berlin'])
    const calendar = new ICAL.Component(ICAL.parse(feed))
    for (const component of calendar.getAllSubcomponents('vtimezone')) {
      const tzid = String(component.getFirstPropertyValue('tzid'))
      const zone = new ICAL.Timezone({ component, tzid })
      const event = tzid === 'Europe/Berlin' ? series : newYork
      for (const occurrence of occurrencesOf(event, '2027-01-01', '2028-01-01')) {
        const at = Date.parse(occurrence.start)
        const local = wallClockIn(at, ianaZone(tzid))
        expect(zone.utcOffset(ICAL.Time.fromData({ ...local, isDate: false })) / 60, `${tzid} ${occurrence.start}`).toBe(offsetMinutes(tzid, at))
      }
    }
  })

  it('gives the same text for the same events (its hash can be an ETag)', () => {
    expect(buildFeedCalendar({ name: 'Events of Olga Ørganizer', url: 'https://cis.example.com/organizers/AAAAAAAAAAAAAAAA' }, entries)).toBe(feed)
  })

  it("keeps a name's line breaks from starting a property of their own, and escapes it", () => {
    const text = buildFeedCalendar({ name: 'Eve\r\nBEGIN:VEVENT\r\nUID:x; y, z', url: null }, [entry(zoned, 0)])
    expect(linesOf(text)).toContain('X-WR-CALNAME:Eve BEGIN:VEVENT UID:x\\; y\\, z')
    expect(blocksOf(text, 'VEVENT')).toHaveLength(1)
  })

  it('reads with node-ical as the right times: UTC for a single event, dates for all-day ones', () => {
    const parsed = Object.values(ical.sync.parseICS(feed)).filter((c) => c?.type === 'VEVENT') as unknown as { uid: string; start: Date & { dateOnly?: boolean }; end: Date; recurrenceid?: Date }[]
    const zonedEvent = parsed.find((e) => e.uid === 'zoned@example.com')!
    expect(zonedEvent.start.toISOString()).toBe('2027-07-01T16:30:00.000Z')
    expect(zonedEvent.end.toISOString()).toBe('2027-07-01T18:00:00.000Z')
    const festival = parsed.find((e) => e.uid === 'allday@example.com')!
    expect(festival.start.dateOnly).toBe(true)
    expect([festival.start.getFullYear(), festival.start.getMonth() + 1, festival.start.getDate()]).toEqual([2027, 5, 1])
    expect([festival.end.getFullYear(), festival.end.getMonth() + 1, festival.end.getDate()]).toEqual([2027, 5, 4])
    const standup = parsed.find((e) => e.uid === 'weekly@example.com' && !e.recurrenceid)!
    expect(standup.start.toISOString()).toBe('2027-03-15T08:00:00.000Z')
  })
})

const missing = refereeAvailable()

describe.skipIf(missing)(`the feed read by the python referee${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let verdict: RefereeResult | undefined
  beforeAll(async () => {
    const path = join(calendarFolder, 'feed.ics')
    writeFileSync(path, feed)
    verdict = (await refereeOccurrences([{ path, from: '2027-01-01', to: '2028-12-31' }]))[path]
  })

  it.each([zoned, allDay, series, newYork, allDaySeries, cancelled])('has $uid as the server stores it, every occurrence at its time', (event) => {
    expect(verdict?.ok, JSON.stringify(verdict)).toBe(true)
    const theirs = verdict!.ok
      ? verdict!.events
          .filter((e) => e.uid === event.uid)
          .flatMap((e) => e.occurrences)
          .map((o) => ({ start: asServer(o.start), end: asServer(o.end), cancelled: o.status === 'CANCELLED' }))
          .sort((a, b) => a.start.localeCompare(b.start))
      : []
    const ours = occurrencesOf(event, '2027-01-01', '2028-12-31')
      // A cancelled occurrence of a running series is an EXDATE: it is not an occurrence at all.
      .filter((o) => o.status !== 'CANCELLED' || event.status === 'CANCELLED')
      .map((o) => ({ start: o.start.replace('.000Z', 'Z'), end: o.end.replace('.000Z', 'Z'), cancelled: o.status === 'CANCELLED' }))
    expect(theirs).toEqual(ours)
    expect(theirs.length).toBeGreaterThan(0)
  })
})
