/**
 * Which events a feed carries (issue 15 item 6): listed and not past, a series by its
 * occurrences (one that started long ago is upcoming while it has one to come), cancelled
 * ones until they are past, soonest first, at most the limit; and when the feed last changed.
 */
import { describe, it, expect } from 'vitest'
import { nextOccurrenceMs, selectFeedEvents, type FeedCandidate } from '../../../../../server/domain/feed/feed-selection'
import type { EventState } from '../../../../../server/domain/itip/event-state'

const NOW = new Date('2027-03-10T11:00:00Z')

const base: EventState = {
  uid: 'base@example.com', organizer: { email: 'olga@example.com', name: null }, summary: 'Talk', description: null, location: null, url: null,
  start: '2027-03-15T09:00:00Z', end: '2027-03-15T10:00:00Z', allDay: false, timezone: null, tzid: null, startLocal: null, vtimezone: null, transp: null,
  rrule: null, exdates: [], rdates: [], status: 'CONFIRMED', sequence: 0, dtstamp: '2026-11-01T00:00:00Z', prodid: null, instances: {},
}
const event = (uid: string, fields: Partial<EventState>): EventState => ({ ...base, uid, ...fields })
const candidate = (event: EventState, fields: Partial<FeedCandidate> = {}): FeedCandidate => ({ event, listed: true, changedAt: '2027-01-01T00:00:00.000Z', ...fields })

describe('nextOccurrenceMs', () => {
  it.each([
    ['a later event', event('later', {}), '2027-03-15T09:00:00.000Z'],
    ['an event under way', event('now', { start: '2027-03-10T10:00:00Z', end: '2027-03-10T12:00:00Z' }), '2027-03-10T10:00:00.000Z'],
    ['an event that ended an hour ago', event('ended', { start: '2027-03-10T09:00:00Z', end: '2027-03-10T10:00:00Z' }), null],
    ['an all-day event of today', event('today', { allDay: true, start: '2027-03-10', end: '2027-03-11' }), '2027-03-10T00:00:00.000Z'],
    // Yesterday (UTC) is still today west of UTC: past once it is over everywhere.
    ['an all-day event of yesterday, before noon', event('yesterday', { allDay: true, start: '2027-03-09', end: '2027-03-10' }), '2027-03-09T00:00:00.000Z'],
    ['an all-day event of two days ago', event('before', { allDay: true, start: '2027-03-08', end: '2027-03-09' }), null],
    ['a weekly series started two years ago', event('weekly', { start: '2025-03-03T09:00:00Z', end: '2025-03-03T10:00:00Z', rrule: 'FREQ=WEEKLY' }), '2027-03-15T09:00:00.000Z'],
    ['a daily series started ten years ago', event('daily', { start: '2017-01-01T13:00:00Z', end: '2017-01-01T14:00:00Z', rrule: 'FREQ=DAILY' }), '2027-03-10T13:00:00.000Z'],
    ['a series that ended', event('over', { start: '2026-01-05T09:00:00Z', end: '2026-01-05T10:00:00Z', rrule: 'FREQ=WEEKLY;COUNT=5' }), null],
    ['a past series with an RDATE to come', event('rdate', { start: '2026-01-05T09:00:00Z', end: '2026-01-05T10:00:00Z', rrule: 'FREQ=WEEKLY;COUNT=5', rdates: ['2027-06-01T09:00:00Z'] }), '2027-06-01T09:00:00.000Z'],
    ['a past series moved into the future', event('moved', {
      start: '2026-01-05T09:00:00Z', end: '2026-01-05T10:00:00Z', rrule: 'FREQ=WEEKLY;COUNT=2',
      instances: { '2026-01-12T09:00:00Z': { recurrenceId: '2026-01-12T09:00:00Z', start: '2027-04-01T09:00:00Z', end: '2027-04-01T10:00:00Z', status: 'CONFIRMED', sequence: 1, dtstamp: null, summary: null, location: null } },
    }), '2027-04-01T09:00:00.000Z'],
    ['a cancelled event to come', event('cancelled', { status: 'CANCELLED' }), '2027-03-15T09:00:00.000Z'],
    ['a cancelled event that is past', event('cancelled-past', { status: 'CANCELLED', start: '2027-03-01T09:00:00Z', end: '2027-03-01T10:00:00Z' }), null],
  ])('%s', (_, series, expected) => {
    const next = nextOccurrenceMs(series, NOW)
    expect(next === null ? null : new Date(next).toISOString()).toBe(expected)
  })
})

describe('selectFeedEvents', () => {
  const later = candidate(event('later', { start: '2027-05-01T09:00:00Z', end: '2027-05-01T10:00:00Z' }))
  const sooner = candidate(event('sooner', { start: '2027-04-01T09:00:00Z', end: '2027-04-01T10:00:00Z' }))
  const weekly = candidate(event('weekly', { start: '2025-03-03T09:00:00Z', end: '2025-03-03T10:00:00Z', rrule: 'FREQ=WEEKLY' }))
  const unlisted = candidate(event('unlisted', {}), { listed: false, changedAt: '2027-02-01T00:00:00.000Z' })
  const past = candidate(event('past', { start: '2027-03-08T09:00:00Z', end: '2027-03-08T10:00:00Z' }))
  const cancelled = candidate(event('cancelled', { status: 'CANCELLED', start: '2027-03-20T09:00:00Z', end: '2027-03-20T10:00:00Z' }))

  it('keeps listed events that are not past, cancelled ones too, soonest next occurrence first', () => {
    const { entries } = selectFeedEvents([later, past, sooner, unlisted, weekly, cancelled], NOW)
    expect(entries.map((c) => c.event.uid)).toEqual(['weekly', 'cancelled', 'sooner', 'later'])
  })

  it('keeps at most the limit, the soonest', () => {
    expect(selectFeedEvents([later, sooner, weekly], NOW, 2).entries.map((c) => c.event.uid)).toEqual(['weekly', 'sooner'])
  })

  it('was last modified at the newest change of any event read, or when a listed event left by becoming past', () => {
    // The unlisted event's change (it may have just been unlisted) is the newest here.
    expect(selectFeedEvents([later, unlisted], NOW).lastModified?.toISOString()).toBe('2027-02-01T00:00:00.000Z')
    // The past event left the feed when it ended, after every change.
    expect(selectFeedEvents([later, unlisted, past], NOW).lastModified?.toISOString()).toBe('2027-03-08T10:00:00.000Z')
    expect(selectFeedEvents([], NOW).lastModified).toBeNull()
  })
})
