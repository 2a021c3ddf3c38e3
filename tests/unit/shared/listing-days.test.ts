import { describe, it, expect } from 'vitest'
import { dayIn, groupByDay, isTimeZone } from '../../../shared/listing-days'

const event = (start: string, more: Partial<{ end: string | null; allDay: boolean; timezone: string | null; name: string }> = {}) => ({
  name: more.name ?? start,
  start,
  end: more.end ?? null,
  allDay: more.allDay ?? false,
  timezone: more.timezone ?? null,
})

describe('public lists grouped by day in the visitor’s zone', () => {
  it.each([
    ['2027-03-10T23:30:00Z', 'UTC', '2027-03-10'],
    ['2027-03-10T23:30:00Z', 'Europe/Paris', '2027-03-11'],
    ['2027-03-11T03:00:00Z', 'America/Los_Angeles', '2027-03-10'],
    ['2027-03-10T12:00:00Z', 'Pacific/Kiritimati', '2027-03-11'],
  ])('%s falls on a day in %s: %s', (instant, zone, day) => {
    expect(dayIn(instant, zone)).toBe(day)
  })

  it('puts an evening event in New York on the next day for a visitor in Paris, with its own time beside', () => {
    const groups = groupByDay([event('2027-03-11T00:30:00Z', { end: '2027-03-11T01:30:00Z', timezone: 'America/New_York' })], 'Europe/Paris')
    expect(groups).toEqual([
      { day: '2027-03-11', label: 'Thursday, 11 March 2027', events: [expect.objectContaining({ time: '01:30–02:30', ownZoneTime: '19:30 on Wednesday, 10 March 2027 in America/New York' })] },
    ])
  })

  it('names no other zone when the event’s zone is the visitor’s, or gives the same time', () => {
    const [paris] = groupByDay([event('2027-03-10T09:00:00Z', { timezone: 'Europe/Paris' })], 'Europe/Paris')
    expect(paris!.events[0]!.ownZoneTime).toBeNull()
    // Berlin and Paris keep the same clock: the same time needs no second zone.
    const [berlin] = groupByDay([event('2027-03-10T09:00:00Z', { timezone: 'Europe/Berlin' })], 'Europe/Paris')
    expect(berlin!.events[0]!.ownZoneTime).toBeNull()
    const [london] = groupByDay([event('2027-03-10T09:00:00Z', { timezone: 'Europe/London' })], 'Europe/Paris')
    expect(london!.events[0]).toMatchObject({ time: '10:00', ownZoneTime: '09:00 in Europe/London' })
  })

  it('keeps an all-day event on its own date wherever the visitor is', () => {
    const groups = groupByDay([event('2027-03-10', { allDay: true, end: '2027-03-11', timezone: 'Asia/Tokyo' })], 'America/Los_Angeles')
    expect(groups).toEqual([{ day: '2027-03-10', label: 'Wednesday, 10 March 2027', events: [expect.objectContaining({ time: 'All day', ownZoneTime: null })] }])
  })

  it('groups several events per day, days in order, events in the order given', () => {
    const groups = groupByDay(
      [event('2027-03-10', { allDay: true, name: 'fair' }), event('2027-03-10T08:00:00Z', { name: 'breakfast' }), event('2027-03-10T23:30:00Z', { name: 'late show' }), event('2027-03-12T10:00:00Z', { name: 'talk' })],
      'Europe/Paris',
    )
    expect(groups.map((group) => [group.day, group.events.map(({ event }) => event.name)])).toEqual([
      ['2027-03-10', ['fair', 'breakfast']],
      ['2027-03-11', ['late show']],
      ['2027-03-12', ['talk']],
    ])
  })

  it('ignores a zone Intl does not know rather than failing', () => {
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false)
    expect(isTimeZone('UTC')).toBe(true)
    expect(groupByDay([event('2027-03-10T09:00:00Z', { timezone: 'Mars/Olympus_Mons' })], 'UTC')[0]!.events[0]!.ownZoneTime).toBeNull()
  })
})
