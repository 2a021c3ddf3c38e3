import { describe, it, expect } from 'vitest'
import { hasStarted, inView, matchesSearch, startRangeOf, type ListedEvent } from '../../../../../server/domain/reports/event-list'

const now = new Date('2027-03-10T12:00:00.000Z')
const event = (overrides: Partial<ListedEvent>): ListedEvent => ({ start: '2027-03-10T13:00:00Z', allDay: false, status: 'CONFIRMED', summary: 'Standup', ...overrides })

describe('event views', () => {
  it.each([
    [event({ start: '2027-03-10T13:00:00Z' }), 'upcoming'],
    [event({ start: '2027-03-10T11:59:59Z' }), 'past'],
    [event({ start: '2027-03-10', allDay: true }), 'upcoming'],
    [event({ start: '2027-03-09', allDay: true }), 'past'],
    [event({ start: '2027-04-01T00:00:00Z', status: 'CANCELLED' }), 'cancelled'],
    [event({ start: '2027-01-01T00:00:00Z', status: 'CANCELLED' }), 'cancelled'],
  ] as const)('%j shows only under %s', (e, view) => {
    for (const candidate of ['upcoming', 'past', 'cancelled'] as const) expect(inView(e, candidate, now), candidate).toBe(candidate === view)
  })

  it('counts an all-day event of today as not started', () => {
    expect(hasStarted({ start: '2027-03-10', allDay: true }, now)).toBe(false)
  })

  it('reads the key range that holds each view, timed and all-day alike', () => {
    expect(startRangeOf('upcoming', now)).toEqual({ gte: '2027-03-10' })
    expect(startRangeOf('past', now)).toEqual({ lt: '2027-03-10T12:00:00.000Z' })
    expect(startRangeOf('cancelled', now)).toBeNull()
  })
})

describe('matchesSearch', () => {
  it.each([
    [undefined, true],
    ['  ', true],
    ['STAND', true],
    ['berlin', true],
    ['münchen', false],
  ])('%j → %s', (q, expected) => {
    expect(matchesSearch({ summary: 'Weekly Standup', location: 'Office Berlin' }, q)).toBe(expected)
  })

  it('works without a location', () => {
    expect(matchesSearch({ summary: 'Retro' }, 'retro')).toBe(true)
  })
})
