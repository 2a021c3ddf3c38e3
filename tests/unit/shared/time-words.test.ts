import { describe, it, expect } from 'vitest'
import { inEventZoneWords, knownZone, whenInWords } from '../../../shared/time-words'

describe('whenInWords', () => {
  it.each([
    [{ start: '2027-03-10T17:00:00Z', end: '2027-03-10T18:00:00Z', allDay: false }, 'Europe/Berlin', 'Wed, Mar 10, 2027, 6:00 – 7:00 PM GMT+1'],
    [{ start: '2027-03-10T17:00:00Z', end: null, allDay: false }, 'UTC', 'Wed, Mar 10, 2027, 5:00 PM UTC'],
    [{ start: '2027-03-10T23:30:00Z', end: '2027-03-11T00:30:00Z', allDay: false }, 'America/New_York', 'Wed, Mar 10, 2027, 6:30 – 7:30 PM EST'],
    // All-day: dates, the stored end exclusive, the same in every zone.
    [{ start: '2027-03-10', end: '2027-03-11', allDay: true }, 'Pacific/Kiritimati', 'Wed, Mar 10, 2027'],
    [{ start: '2027-03-10', end: null, allDay: true }, 'America/Los_Angeles', 'Wed, Mar 10, 2027'],
    [{ start: '2027-03-10', end: '2027-03-13', allDay: true }, 'UTC', 'Wed, Mar 10 – Fri, Mar 12, 2027'],
  ])('%o in %s', (span, zone, expected) => {
    expect(whenInWords(span, zone).replace(/\u202f|\u2009/g, ' ')).toBe(expected)
  })

  it('falls back to UTC for a zone the runtime does not know', () => {
    expect(knownZone('Not/AZone')).toBe('UTC')
    expect(knownZone(null)).toBe('UTC')
    expect(knownZone('Europe/Berlin')).toBe('Europe/Berlin')
  })
})

describe('inEventZoneWords', () => {
  const paris = { start: '2027-01-12T14:00:00Z', end: '2027-01-12T15:00:00Z', allDay: false }
  it.each([
    // Seen from New York, a Paris afternoon is a New York morning: the Paris clock beside it.
    [paris, 'America/New_York', 'Europe/Paris', '3:00 – 4:00 PM in Europe/Paris'],
    [{ ...paris, end: null }, 'America/New_York', 'Europe/Paris', '3:00 PM in Europe/Paris'],
    // Another day there: the day is said.
    [{ start: '2027-01-12T23:30:00Z', end: '2027-01-13T00:30:00Z', allDay: false }, 'America/Los_Angeles', 'Asia/Tokyo', 'Wed, Jan 13, 8:30 – 9:30 AM in Asia/Tokyo'],
    [paris, 'UTC', 'America/New_York', '9:00 – 10:00 AM in America/New York'],
    // Nothing to add: the same zone, the same clock (Berlin and Paris), all-day, no zone named.
    [paris, 'Europe/Paris', 'Europe/Paris', null],
    [paris, 'Europe/Berlin', 'Europe/Paris', null],
    [{ start: '2027-01-12', end: '2027-01-13', allDay: true }, 'America/New_York', 'Europe/Paris', null],
    [paris, 'America/New_York', null, null],
  ])('%o in %s, planned in %s', (span, shown, own, expected) => {
    expect(inEventZoneWords(span, shown, own)?.replace(/\u202f|\u2009/g, ' ') ?? null).toBe(expected)
  })
})
