import { describe, it, expect } from 'vitest'
import { upcomingOccurrences } from '../../../../../server/domain/ical/upcoming-occurrences'
import type { EventState } from '../../../../../server/domain/itip/event-state'

const weekly: EventState = {
  uid: 'weekly@example.com', organizer: { email: 'olga@example.com', name: null }, summary: 'Weekly', description: null, location: null, url: null,
  start: '2027-03-02T09:00:00Z', end: '2027-03-02T10:00:00Z', allDay: false, timezone: 'Europe/Berlin', tzid: 'Europe/Berlin', startLocal: '2027-03-02T10:00:00', vtimezone: null,
  transp: null, rrule: 'FREQ=WEEKLY;COUNT=6', exdates: ['2027-03-16T09:00:00Z'], rdates: [], status: 'CONFIRMED', sequence: 0, dtstamp: '2026-11-01T00:00:00Z', prodid: null,
  instances: { '2027-03-23T09:00:00Z': { recurrenceId: '2027-03-23T09:00:00Z', start: null, end: null, sequence: 0, dtstamp: '2026-11-01T00:00:00Z', summary: null, location: null, status: 'CANCELLED' } },
}
const single: EventState = { ...weekly, uid: 'single@example.com', rrule: null, exdates: [], instances: {} }
const allDay: EventState = { ...single, start: '2027-06-01', end: '2027-06-03', allDay: true, timezone: null, tzid: null, startLocal: null }

const starts = (list: { start: string }[]) => list.map((occurrence) => occurrence.start)

describe('upcomingOccurrences', () => {
  it('lists a series\' next occurrences, without exceptions or cancelled ones, in the organizer\'s wall-clock time', () => {
    // 10:00 in Berlin: 09:00 UTC before the change on 28 March, 08:00 after.
    expect(starts(upcomingOccurrences(weekly, new Date('2027-03-01T00:00:00Z'), 5))).toEqual([
      '2027-03-02T09:00:00Z', '2027-03-09T09:00:00Z', '2027-03-30T08:00:00Z', '2027-04-06T08:00:00Z',
    ])
  })

  it('keeps an occurrence under way and drops the ones that have ended', () => {
    expect(starts(upcomingOccurrences(weekly, new Date('2027-03-09T09:30:00Z'), 2))).toEqual(['2027-03-09T09:00:00Z', '2027-03-30T08:00:00Z'])
    expect(upcomingOccurrences(weekly, new Date('2027-04-06T08:00:00Z'), 5)).toHaveLength(1)
    expect(upcomingOccurrences(weekly, new Date('2027-04-06T09:00:00Z'), 5)).toEqual([])
  })

  it('gives a single event until it ends, and nothing for a cancelled one', () => {
    expect(upcomingOccurrences(single, new Date('2027-03-02T09:59:00Z'), 5)).toEqual([{ start: '2027-03-02T09:00:00Z', end: '2027-03-02T10:00:00Z' }])
    expect(upcomingOccurrences(single, new Date('2027-03-02T10:00:00Z'), 5)).toEqual([])
    expect(upcomingOccurrences({ ...single, status: 'CANCELLED' }, new Date('2027-01-01T00:00:00Z'), 5)).toEqual([])
  })

  it('keeps an all-day event through its last day (the end is exclusive)', () => {
    expect(upcomingOccurrences(allDay, new Date('2027-06-02T23:00:00Z'), 5)).toEqual([{ start: '2027-06-01', end: '2027-06-03' }])
    expect(upcomingOccurrences(allDay, new Date('2027-06-03T00:00:00Z'), 5)).toEqual([])
  })

  it('finds the next occurrences of a series that began years ago', () => {
    const daily: EventState = { ...single, start: '2020-01-01T09:00:00Z', end: '2020-01-01T09:15:00Z', startLocal: '2020-01-01T10:00:00', rrule: 'FREQ=DAILY' }
    expect(starts(upcomingOccurrences(daily, new Date('2027-03-10T12:00:00Z'), 2))).toEqual(['2027-03-11T09:00:00Z', '2027-03-12T09:00:00Z'])
  })
})
