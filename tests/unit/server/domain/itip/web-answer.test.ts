import { describe, it, expect } from 'vitest'
import { decideReply, mergeAttendees, type Policy } from '../../../../../server/domain/itip/rules'
import { WEB_ANSWER_PRODID, webAnswerMessage } from '../../../../../server/domain/itip/web-answer'
import type { AttendeeState, EventState } from '../../../../../server/domain/itip/event-state'
import { clientOf, eventBreakdowns } from '../../../../../server/domain/reports/breakdowns'

const RSVP = 'rsvp@events.localhost'
const policy: Policy = { requireVerifiedSender: true, allowedOrganizerDomains: [], serverAddresses: ['create@events.localhost', RSVP] }

const event: EventState = {
  uid: 'web@example.com', organizer: { email: 'olga@example.com', name: 'Olga' }, summary: 'Launch', description: null, location: null, url: null,
  start: '2027-05-01T16:00:00Z', end: '2027-05-01T18:00:00Z', allDay: false, timezone: 'Europe/Berlin', tzid: null, startLocal: null, vtimezone: null, transp: null,
  rrule: null, exdates: [], rdates: [], status: 'CONFIRMED', sequence: 1, dtstamp: '2026-11-01T00:00:00Z', prodid: null, instances: {},
}
const bob: AttendeeState = {
  email: 'bob@example.org', name: 'Bob', partstat: 'NEEDS-ACTION', instancePartstats: {}, role: null, source: 'invite', history: [], repliedAt: null, lastReplyStamp: null, replySequence: null,
}
const answer = (partstat: 'ACCEPTED' | 'TENTATIVE' | 'DECLINED', at: string, inviteSequence = 3) =>
  webAnswerMessage({ event, inviteSequence, attendee: { email: 'Bob@Example.org', name: 'Bob' }, partstat, organizerMailbox: RSVP, at })
const decide = (message: ReturnType<typeof answer>, stored: AttendeeState | null, inviteSequence = 3) =>
  decideReply(message, event, stored, { email: 'bob@example.org', verified: true }, policy, { receivedAt: message.master!.dtstamp!, inviteSequence })

describe('web answers, applied as the REPLY they stand for', () => {
  it.each(['ACCEPTED', 'TENTATIVE', 'DECLINED'] as const)('records %s with a history entry marked as from the web, at the server’s SEQUENCE', (partstat) => {
    const decision = decide(answer(partstat, '2027-04-01T10:00:00.000Z'), bob)
    if (decision.outcome !== 'reply') throw new Error(decision.reason)
    expect(decision.attendee).toMatchObject({ partstat, replySequence: 3, answeredServerInvite: true, repliedAt: '2027-04-01T10:00:00.000Z' })
    expect(decision.attendee.history).toEqual([{ partstat, at: '2027-04-01T10:00:00.000Z', prodid: WEB_ANSWER_PRODID }])
  })

  it('lets the attendee change the answer later, and keeps both in the history', () => {
    const first = decide(answer('ACCEPTED', '2027-04-01T10:00:00.000Z'), bob)
    if (first.outcome !== 'reply') throw new Error(first.reason)
    const second = decide(answer('DECLINED', '2027-04-02T10:00:00.000Z'), first.attendee)
    if (second.outcome !== 'reply') throw new Error(second.reason)
    expect(second.attendee.partstat).toBe('DECLINED')
    expect(second.attendee.history.map((h) => h.partstat)).toEqual(['ACCEPTED', 'DECLINED'])
  })

  it('answers the version sent now, so a link from an earlier SEQUENCE still records, and a re-ask below it keeps it', () => {
    // The link was mailed with SEQUENCE 1; the server has since sent SEQUENCE 5.
    const decision = decide(answer('TENTATIVE', '2027-04-01T10:00:00.000Z', 5), bob, 5)
    if (decision.outcome !== 'reply') throw new Error(decision.reason)
    expect(decision.attendee.replySequence).toBe(5)
    const [kept] = mergeAttendees([decision.attendee], [], 5, event.organizer.email, 5)
    expect(kept!.partstat).toBe('TENTATIVE')
  })

  it('is shown as the client "Web" in the breakdowns', () => {
    const decision = decide(answer('ACCEPTED', '2027-04-01T10:00:00.000Z'), bob)
    if (decision.outcome !== 'reply') throw new Error(decision.reason)
    expect(clientOf(WEB_ANSWER_PRODID)).toBe('Web')
    expect(eventBreakdowns([decision.attendee], [{ email: decision.attendee.email, origin: 'landing-page', status: 'sent', sentAt: '2027-01-01T00:00:00Z' }])).toMatchObject({ clients: { Web: 1 }, answers: { ACCEPTED: 1 }, origins: { 'landing-page': 1 } })
  })

  it('changes nothing on a cancelled event', () => {
    const message = answer('ACCEPTED', '2027-04-01T10:00:00.000Z')
    const decision = decideReply(message, { ...event, status: 'CANCELLED' }, bob, { email: 'bob@example.org', verified: true }, policy, { receivedAt: '2027-04-01T10:00:00.000Z', inviteSequence: 3 })
    expect(decision.outcome).toBe('ignored')
  })
})
