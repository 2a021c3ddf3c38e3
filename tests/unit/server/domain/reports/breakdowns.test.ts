import { describe, it, expect } from 'vitest'
import { clientOf, eventBreakdowns, invitationFunnel, lastClientOf, type InvitationOutcome } from '../../../../../server/domain/reports/breakdowns'
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

const invitation = (email: string, origin: InvitationOutcome['origin'], status: InvitationOutcome['status'], sentAt: string | null = null): InvitationOutcome => ({ email, origin, status, sentAt })

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
        { email: 'ann@guest.example', partstat: 'ACCEPTED', source: 'invite', history: [entry('TENTATIVE', '2027-01-01T08:00:00Z', google), entry('ACCEPTED', '2027-01-02T09:00:00Z', google)] },
        { email: 'bob@guest.example', partstat: 'DECLINED', source: 'organizer', history: [entry('DECLINED', '2027-01-01T23:59:59Z', outlook)] },
        { email: 'cat@guest.example', partstat: 'NEEDS-ACTION', source: 'organizer', history: [] },
        // Answered a forwarded invite: shared, with its client, but no Yes on the chart or on its day.
        { email: 'dan@elsewhere.example', partstat: 'ACCEPTED', source: 'shared', history: [entry('ACCEPTED', '2027-01-02T10:00:00Z', google)] },
      ],
      [invitation('ann@guest.example', 'api', 'sent', '2027-01-01T07:00:00Z'), invitation('eve@guest.example', 'api', 'queued'), invitation('fay@guest.example', 'bulk', 'sent', '2027-01-01T07:00:00Z')],
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
      funnel: { invited: 3, sent: 2, delivered: 2, answered: 1 },
    })
  })

  it('is all zeros for an event nobody was invited to', () => {
    expect(eventBreakdowns([], [])).toEqual({
      answers: { 'NEEDS-ACTION': 0, ACCEPTED: 0, DECLINED: 0, TENTATIVE: 0, DELEGATED: 0 },
      shared: 0,
      clients: {},
      origins: {},
      answersOverTime: [],
      funnel: { invited: 0, sent: 0, delivered: 0, answered: 0 },
    })
  })
})

describe('invitationFunnel', () => {
  const sentAt = '2027-01-01T07:00:00Z'
  const replied = (email: string) => ({ email, partstat: 'ACCEPTED' as const, source: 'invite' as const, history: [entry('ACCEPTED', '2027-01-02T09:00:00Z')] })
  const waiting = (email: string) => ({ email, partstat: 'NEEDS-ACTION' as const, source: 'invite' as const, history: [] })

  it.each([
    ['queued: invited only', [invitation('a@x.example', 'api', 'queued')], [waiting('a@x.example')], { invited: 1, sent: 0, delivered: 0, answered: 0 }],
    ['sent, no bounce: delivered', [invitation('a@x.example', 'api', 'sent', sentAt)], [waiting('a@x.example')], { invited: 1, sent: 1, delivered: 1, answered: 0 }],
    ['sent, then bounced for good (suppressed): sent, not delivered', [invitation('a@x.example', 'api', 'suppressed', sentAt)], [waiting('a@x.example')], { invited: 1, sent: 1, delivered: 0, answered: 0 }],
    ['suppressed before any send: invited only', [invitation('a@x.example', 'api', 'suppressed')], [waiting('a@x.example')], { invited: 1, sent: 0, delivered: 0, answered: 0 }],
    ['sent once, a later update failed: still sent and delivered', [invitation('a@x.example', 'vip', 'failed', sentAt)], [replied('a@x.example')], { invited: 1, sent: 1, delivered: 1, answered: 1 }],
    ['never sent (failed)', [invitation('a@x.example', 'vip', 'failed')], [waiting('a@x.example')], { invited: 1, sent: 0, delivered: 0, answered: 0 }],
    ['unsubscribed after receiving it: delivered', [invitation('a@x.example', 'embed', 'unsubscribed', sentAt)], [waiting('a@x.example')], { invited: 1, sent: 1, delivered: 1, answered: 0 }],
    ['replied: answered (addresses in any case)', [invitation('A@X.example', 'api', 'sent', sentAt)], [replied('a@x.example')], { invited: 1, sent: 1, delivered: 1, answered: 1 }],
    // Each step is part of the one before: a reply from an address whose mail bounced is not "answered" here.
    ['replied but bounced: not answered', [invitation('a@x.example', 'api', 'suppressed', sentAt)], [replied('a@x.example')], { invited: 1, sent: 1, delivered: 0, answered: 0 }],
    ['the organizer\'s own guests are not in it', [], [replied('guest@x.example')], { invited: 0, sent: 0, delivered: 0, answered: 0 }],
  ])('%s', (_, invitations, attendees, funnel) => {
    expect(invitationFunnel(invitations, attendees)).toEqual(funnel)
  })
})
