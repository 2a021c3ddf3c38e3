import { describe, it, expect } from 'vitest'
import { clientOf, eventBreakdowns, lastClientOf } from '../../../../../server/domain/reports/breakdowns'
import type { HistoryEntry } from '../../../../../server/domain/itip/event-state'

describe('clientOf', () => {
  it.each([
    ['-//Google Inc//Google Calendar 70.9054//EN', 'Google Calendar'],
    ['Microsoft Exchange Server 2010', 'Outlook'],
    ['-//Apple Inc.//macOS 14.0//EN', 'Apple Calendar'],
    ['-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN', 'Thunderbird'],
    ['-//Acme Corp//Acme Planner 2.0//EN', 'Acme Planner 2.0'],
    ['', 'unknown'],
    [null, 'unknown'],
  ])('%j → %s', (prodid, name) => {
    expect(clientOf(prodid)).toBe(name)
  })
})

const entry = (partstat: HistoryEntry['partstat'], at: string, prodid?: string): HistoryEntry => ({ partstat, at, ...(prodid ? { prodid } : {}) })

describe('lastClientOf', () => {
  it('takes the last reply that named its client', () => {
    expect(lastClientOf({ history: [entry('ACCEPTED', '2027-01-01T00:00:00Z', '-//Google Inc//Google Calendar//EN'), entry('DECLINED', '2027-01-02T00:00:00Z')] })).toBe('Google Calendar')
    expect(lastClientOf({ history: [] })).toBeNull()
  })
})

describe('eventBreakdowns', () => {
  it('counts answers, clients, origins and answers per day; shared attendees apart, never as an answer', () => {
    const google = '-//Google Inc//Google Calendar 70.9054//EN'
    const outlook = 'Microsoft Exchange Server 2010'
    const breakdowns = eventBreakdowns(
      [
        { partstat: 'ACCEPTED', source: 'invite', history: [entry('TENTATIVE', '2027-01-01T08:00:00Z', google), entry('ACCEPTED', '2027-01-02T09:00:00Z', google)] },
        { partstat: 'DECLINED', source: 'organizer', history: [entry('DECLINED', '2027-01-01T23:59:59Z', outlook)] },
        { partstat: 'NEEDS-ACTION', source: 'organizer', history: [] },
        // Answered a forwarded invite: shared, with its client, but no Yes on the chart or on its day.
        { partstat: 'ACCEPTED', source: 'shared', history: [entry('ACCEPTED', '2027-01-02T10:00:00Z', google)] },
      ],
      ['api', 'api', 'bulk'],
    )
    expect(breakdowns).toEqual({
      answers: { 'NEEDS-ACTION': 1, ACCEPTED: 1, DECLINED: 1, TENTATIVE: 0, DELEGATED: 0 },
      shared: 1,
      clients: { 'Google Calendar': 2, Outlook: 1 },
      origins: { api: 2, bulk: 1 },
      answersOverTime: [
        { day: '2027-01-01', answers: { 'NEEDS-ACTION': 0, ACCEPTED: 0, DECLINED: 1, TENTATIVE: 1, DELEGATED: 0 } },
        { day: '2027-01-02', answers: { 'NEEDS-ACTION': 0, ACCEPTED: 1, DECLINED: 0, TENTATIVE: 0, DELEGATED: 0 } },
      ],
    })
  })

  it('is all zeros for an event nobody was invited to', () => {
    expect(eventBreakdowns([], [])).toEqual({ answers: { 'NEEDS-ACTION': 0, ACCEPTED: 0, DECLINED: 0, TENTATIVE: 0, DELEGATED: 0 }, shared: 0, clients: {}, origins: {}, answersOverTime: [] })
  })
})
