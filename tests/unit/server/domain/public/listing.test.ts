import { describe, it, expect } from 'vitest'
import { matchesSearch, nextOccurrenceOf, pageOf, repeatsInWords, soonestFirst } from '../../../../../server/domain/public/listing'

const single = { start: '2027-03-10T09:00:00Z', end: '2027-03-10T10:00:00Z', allDay: false, rrule: null, rdates: [], exdates: [] }
const now = new Date('2027-03-10T08:00:00Z')

describe('when a listed event next happens', () => {
  it('is a single event’s own start until it has started', () => {
    expect(nextOccurrenceOf(single, now)).toEqual({ start: '2027-03-10T09:00:00Z', end: '2027-03-10T10:00:00Z' })
    expect(nextOccurrenceOf(single, new Date('2027-03-10T09:00:01Z'))).toBeNull()
  })

  it('keeps an all-day event for its whole day', () => {
    const fair = { ...single, start: '2027-03-10', end: '2027-03-11', allDay: true }
    expect(nextOccurrenceOf(fair, new Date('2027-03-10T23:00:00Z'))).toEqual({ start: '2027-03-10', end: '2027-03-11' })
    expect(nextOccurrenceOf(fair, new Date('2027-03-11T00:00:00Z'))).toBeNull()
  })

  it('is a series’ first occurrence still ahead, years after its first start, in the organizer’s zone', () => {
    // Weekly on Tuesdays at 18:00 in New York since 2020: after DST began (14 March 2027), 22:00 UTC.
    const series = {
      ...single, start: '2020-01-07T23:00:00Z', end: '2020-01-08T00:00:00Z', rrule: 'FREQ=WEEKLY;BYDAY=TU',
      timezone: 'America/New_York', tzid: 'America/New_York', startLocal: '2020-01-07T18:00:00',
    }
    expect(nextOccurrenceOf(series, new Date('2027-03-15T00:00:00Z'))).toEqual({ start: '2027-03-16T22:00:00Z', end: '2027-03-16T23:00:00Z' })
  })

  it('skips an excluded or cancelled occurrence, and ends with the series', () => {
    const series = { ...single, start: '2027-03-01T09:00:00Z', end: '2027-03-01T10:00:00Z', rrule: 'FREQ=DAILY;COUNT=12', exdates: ['2027-03-10T09:00:00Z'] }
    expect(nextOccurrenceOf(series, now)!.start).toBe('2027-03-11T09:00:00Z')
    const cancelled = { ...series, exdates: [], instances: { '2027-03-10T09:00:00Z': { start: '2027-03-10T09:00:00Z', end: '2027-03-10T10:00:00Z', status: 'CANCELLED' as const } } }
    expect(nextOccurrenceOf(cancelled, now)!.start).toBe('2027-03-11T09:00:00Z')
    expect(nextOccurrenceOf(series, new Date('2027-03-13T00:00:00Z'))).toBeNull()
  })
})

describe('how a series repeats, in words', () => {
  it.each([
    ['FREQ=WEEKLY;BYDAY=TU', 'every week on Tuesday'],
    ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE', 'every week on Monday, Wednesday'],
    ['FREQ=MONTHLY;BYDAY=1MO', 'every month on the 1st Monday'],
    ['FREQ=DAILY;INTERVAL=2;COUNT=5', 'every 2 days for 5 times'],
    ['FREQ=YEARLY', 'every year'],
  ])('%s: %s', (rule, words) => {
    expect(repeatsInWords(rule)).toBe(words)
  })

  it('says something plain where there is no rule to word', () => {
    expect(repeatsInWords(null)).toBeNull()
    expect(repeatsInWords(null, ['2027-03-10T09:00:00Z'])).toBe('on several dates')
    expect(repeatsInWords('FREQ=SOMETIMES')).toBe('repeats')
  })
})

describe('searching and paging a list', () => {
  it.each([
    ['', true],
    ['jazz', true],
    ['JAZZ night', true],
    ['cafe', true],
    ['Café Müller', true],
    ['opera', false],
  ])('“%s” matches “Jazz Night” at “Café Müller”: %s', (q, expected) => {
    expect(matchesSearch({ summary: 'Jazz Night', location: 'Café Müller' }, q)).toBe(expected)
  })

  it('sorts soonest first, a day’s all-day events before its timed ones', () => {
    const sorted = soonestFirst([
      { start: '2027-03-11T09:00:00Z', summary: 'b' },
      { start: '2027-03-10T09:00:00Z', summary: 'a' },
      { start: '2027-03-10', summary: 'fair' },
    ])
    expect(sorted.map((event) => event.summary)).toEqual(['fair', 'a', 'b'])
  })

  it('pages with the next page’s number, null on the last', () => {
    expect(pageOf([1, 2, 3, 4, 5], 1, 2)).toEqual({ items: [1, 2], nextPage: 2 })
    expect(pageOf([1, 2, 3, 4, 5], 3, 2)).toEqual({ items: [5], nextPage: null })
    expect(pageOf([1, 2, 3, 4], 2, 2)).toEqual({ items: [3, 4], nextPage: null })
  })
})
