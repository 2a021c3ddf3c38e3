import { describe, it, expect } from 'vitest'
import { readMail } from '../../../../../server/domain/mail/read-mail'
import { readCalendar } from '../../../../../server/domain/ical/read-calendar'
import type { SchedulingMessage } from '../../../../../server/domain/scheduling'
import {
  decideOrganizerMessage,
  decideReply,
  endSeriesBefore,
  mergeAttendees,
  type Policy,
  type Sender,
} from '../../../../../server/domain/itip/rules'
import { countAttendees, type AttendeeState, type EventState } from '../../../../../server/domain/itip/event-state'
import { corpusFile, hasCorpus } from '../../../../corpus'

const policy: Policy = { requireVerifiedSender: true, allowedOrganizerDomains: [], serverAddresses: ['create@events.localhost'] }

async function message(name: string): Promise<SchedulingMessage> {
  const bytes = corpusFile(name)
  if (name.startsWith('ics/')) return readCalendar(bytes.toString('utf8'))
  const mail = await readMail(bytes)
  return readCalendar(mail.calendars[0]!.text, mail.calendars[0]!.contentTypeMethod)
}

const organizerOf = (m: SchedulingMessage): Sender => ({ email: (m.master ?? m.overrides[0]!).organizer!.email, verified: true })

/** decideOrganizerMessage, expecting a change (fails the test with the reason otherwise). */
function changed(...args: Parameters<typeof decideOrganizerMessage>) {
  const decision = decideOrganizerMessage(...args)
  if (!('event' in decision)) throw new Error(decision.reason)
  return decision
}

/** Applies messages in order to an in-memory event, as the service does against the table. */
async function chain(names: string[]) {
  let event: EventState | null = null
  let attendees: AttendeeState[] = []
  const outcomes: string[] = []
  for (const name of names) {
    const m = await message(name)
    const decision = decideOrganizerMessage(m, event, organizerOf(m), policy)
    outcomes.push(decision.outcome)
    if ('event' in decision) {
      attendees = mergeAttendees(attendees, decision.invitees, decision.reaskBelowSequence, decision.event.organizer.email)
      event = decision.event
    }
  }
  return { event: event!, attendees, outcomes }
}

describe.skipIf(!hasCorpus)('iTIP chains from the corpus', () => {
  it('single event → minor update → major update → cancel', async () => {
    const { event, outcomes } = await chain([
      'eml/generic__tb__single-event.eml',
      'eml/generic__tb__update-minor.eml',
      'eml/generic__tb__update-major.eml',
      'eml/generic__tb__cancel-single-event.eml',
    ])
    expect(outcomes).toEqual(['created', 'updated', 'updated', 'ignored'])
    // The cancel carries SEQUENCE 1, older than the major update's 2: stale, so not applied.
    expect(event.status).toBe('CONFIRMED')
    expect(event.sequence).toBe(2)
    expect(event.start).toBe('2022-03-16T05:00:00Z')
  })

  it('applies the cancellation when it is current', async () => {
    const { event, outcomes } = await chain(['eml/generic__tb__single-event.eml', 'eml/generic__tb__cancel-single-event.eml'])
    expect(outcomes).toEqual(['created', 'cancelled'])
    expect(event.status).toBe('CANCELLED')
    expect(event.sequence).toBe(1)
  })

  it('a minor update keeps replies; a SEQUENCE increase asks everyone again', async () => {
    const single = await message('eml/generic__tb__single-event.eml')
    const created = changed(single, null, organizerOf(single), policy)
    let attendees = mergeAttendees([], created.invitees, null, created.event.organizer.email)
    attendees = attendees.map((a) => (a.email === 'receiver@example.com' ? { ...a, partstat: 'ACCEPTED' as const } : a))

    const minor = await message('eml/generic__tb__update-minor.eml')
    const minorDecision = changed(minor, created.event, organizerOf(minor), policy)
    expect(minorDecision.reaskBelowSequence).toBeNull()
    const afterMinor = mergeAttendees(attendees, minorDecision.invitees, null, 'sender@example.com')
    expect(afterMinor.find((a) => a.email === 'receiver@example.com')?.partstat).toBe('ACCEPTED')

    const major = await message('eml/generic__tb__update-major.eml')
    const majorDecision = changed(major, minorDecision.event, organizerOf(major), policy)
    expect(majorDecision.reaskBelowSequence).toBe(2)
    const afterMajor = mergeAttendees(afterMinor, majorDecision.invitees, 2, 'sender@example.com')
    expect(afterMajor.find((a) => a.email === 'receiver@example.com')?.partstat).toBe('NEEDS-ACTION')
    // The organizer's own answer is not reset.
    expect(afterMajor.find((a) => a.email === 'sender@example.com')?.partstat).toBe('ACCEPTED')
  })

  it('keeps an answer given to the new version when the update arrives after it', async () => {
    const single = await message('eml/generic__tb__single-event.eml')
    const created = changed(single, null, organizerOf(single), policy)
    const attendees = mergeAttendees([], created.invitees, null, 'sender@example.com').map((a) =>
      a.email === 'receiver@example.com' ? { ...a, partstat: 'DECLINED' as const, replySequence: 2 } : a.email === 'other@example.com' ? { ...a, partstat: 'ACCEPTED' as const, replySequence: 0 } : a,
    )
    const after = mergeAttendees(attendees, created.invitees, 2, 'sender@example.com')
    expect(after.find((a) => a.email === 'receiver@example.com')?.partstat).toBe('DECLINED')
    expect(after.find((a) => a.email === 'other@example.com')?.partstat).toBe('NEEDS-ACTION')
  })

  it('recurring series → exception (minor, major) → series cancel', async () => {
    const { event, outcomes } = await chain([
      'eml/google__tb__repeat-event.eml',
      'eml/google__tb__exception-minor.eml',
      'eml/google__tb__exception-major.eml',
      'eml/google__tb__cancel-repeat-event.eml',
    ])
    expect(outcomes).toEqual(['created', 'updated', 'updated', 'cancelled'])
    expect(event.rrule).toBe('FREQ=DAILY;WKST=SU;COUNT=3;INTERVAL=1')
    expect(event.instances['2022-03-17T11:00:00Z']).toMatchObject({ start: '2022-03-17T05:00:00Z', sequence: 2 })
    expect(event.status).toBe('CANCELLED')
  })

  it('a whole-series update replaces the overrides', async () => {
    const { event, outcomes } = await chain([
      'eml/google__tb__repeat-event.eml',
      'eml/google__tb__exception-minor.eml',
      'eml/google__tb__repeat-update-major.eml',
    ])
    expect(outcomes).toEqual(['created', 'updated', 'updated'])
    expect(event.instances).toEqual({})
    expect(event.start).toBe('2022-03-16T05:00:00Z')
  })

  it('akonadi: series → instance update → instance cancel → series cancel', async () => {
    const { event, outcomes } = await chain([
      'ics/generic__akonadi__01-daily-request.ics',
      'ics/generic__akonadi__02-update-instance.ics',
      'ics/zimbra__akonadi__03-cancel-instance.ics',
      'ics/generic__akonadi__04-cancel-series.ics',
    ])
    expect(outcomes).toEqual(['created', 'updated', 'cancelled', 'cancelled'])
    expect(event.instances['2013-10-23T09:00:00Z']?.status).toBe('CONFIRMED')
    expect(event.instances['2013-10-24T00:00:00Z']?.status).toBe('CANCELLED')
    expect(event.status).toBe('CANCELLED')
  })

  it('the same message twice changes nothing the second time', async () => {
    const { outcomes } = await chain(['eml/generic__tb__single-event.eml', 'eml/generic__tb__single-event.eml'])
    expect(outcomes).toEqual(['created', 'ignored'])
  })

  it('a stale message changes nothing and says so', async () => {
    const major = await message('eml/generic__tb__update-major.eml')
    const created = changed(major, null, organizerOf(major), policy)
    const old = await message('eml/generic__tb__single-event.eml')
    const decision = decideOrganizerMessage(old, created.event, organizerOf(old), policy)
    expect(decision).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/^Stale update \(SEQUENCE 0/) })
  })
})

describe.skipIf(!hasCorpus)('who may change an event', () => {
  it.each([
    ['an unverified organizer', { email: 'sender@example.com', verified: false }, /could not confirm it was sent by .*: no DMARC pass, nor an SPF pass/],
    ['someone else, verified', { email: 'mallory@example.net', verified: true }, /only the organizer \(sender@example.com\)/],
    ['nobody', { email: null, verified: false }, /no sender address/],
  ])('rejects a REQUEST from %s', { tags: ['security'] }, async (_, sender, reason) => {
    const m = await message('eml/generic__tb__single-event.eml')
    expect(decideOrganizerMessage(m, null, sender, policy)).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(reason) })
  })

  it('accepts an unverified organizer when the setting allows it', { tags: ['security'] }, async () => {
    const m = await message('eml/generic__tb__single-event.eml')
    const open = { ...policy, requireVerifiedSender: false }
    expect(decideOrganizerMessage(m, null, { email: 'sender@example.com', verified: false }, open).outcome).toBe('created')
  })

  it('rejects organizers outside the allowed domains', { tags: ['security'] }, async () => {
    const m = await message('eml/generic__tb__single-event.eml')
    const closed = { ...policy, allowedOrganizerDomains: ['company.example'] }
    expect(decideOrganizerMessage(m, null, organizerOf(m), closed)).toMatchObject({ outcome: 'rejected', reason: 'Organizers from example.com may not manage events on this server.' })
  })

  it('rejects a REQUEST for a known UID from a different organizer, without naming that organizer', { tags: ['security'] }, async () => {
    const m = await message('eml/generic__tb__single-event.eml')
    const created = changed(m, null, organizerOf(m), policy)
    const hijack = structuredClone(m)
    hijack.master!.organizer = { email: 'mallory@example.net', name: null }
    hijack.master!.sequence = 5
    const decision = decideOrganizerMessage(hijack, created.event, { email: 'mallory@example.net', verified: true }, policy)
    // The reason is mailed to the sender: it must not tell them whose event the UID is.
    expect(decision).toEqual({
      outcome: 'rejected',
      reason: "This UID belongs to another organizer's event; a message from mallory@example.net cannot change it.",
    })
    expect(JSON.stringify(decision)).not.toContain('sender@example.com')
  })

  it('ignores a CANCEL for an unknown UID', async () => {
    const m = await message('eml/generic__tb__cancel-single-event.eml')
    expect(decideOrganizerMessage(m, null, organizerOf(m), policy).outcome).toBe('ignored')
  })

  it('rejects a REQUEST without ORGANIZER (Notes)', async () => {
    const m = await message('eml/notes__tb__invite-no-method-no-organizer.eml')
    expect(decideOrganizerMessage(m, null, { email: 'john@example.com', verified: true }, policy)).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/no ORGANIZER/) })
  })
})

describe.skipIf(!hasCorpus)('replies', () => {
  async function event() {
    const m = await message('eml/generic__tb__single-event.eml')
    const created = changed(m, null, organizerOf(m), policy)
    return { event: created.event, attendees: mergeAttendees([], created.invitees, null, 'sender@example.com') }
  }
  /** A REPLY to the single event from `email` saying `partstat`. */
  function reply(email: string, partstat: string, extra: Partial<SchedulingMessage['master'] & object> = {}): SchedulingMessage {
    return {
      method: 'REPLY',
      prodid: '-//Test//Reply//EN',
      warnings: [],
      overrides: [],
      master: {
        uid: '02e79b96', sequence: 0, dtstamp: '2022-03-17T00:00:00Z', status: null, summary: null, description: null, location: null, url: null,
        organizer: { email: 'sender@example.com', name: null },
        attendees: [{ email, name: null, partstat: partstat as 'ACCEPTED', role: null, rsvp: false }],
        start: null, end: null, allDay: false, timezone: null, tzid: null, startLocal: null, vtimezone: null, rrule: null, exdates: [], rdates: [], recurrenceId: null, thisAndFuture: false, transp: null,
        ...extra,
      },
    }
  }
  const context = { receivedAt: '2022-03-17T01:00:00Z', mailKey: 'rsvp/abc' }

  it.each(['ACCEPTED', 'DECLINED', 'TENTATIVE', 'NEEDS-ACTION', 'DELEGATED'])('records %s from an invited attendee, with history and client', async (partstat) => {
    const { event: e, attendees } = await event()
    const stored = attendees.find((a) => a.email === 'receiver@example.com')!
    const decision = decideReply(reply('receiver@example.com', partstat), e, stored, { email: 'receiver@example.com', verified: true }, policy, context)
    if (decision.outcome !== 'reply') throw new Error(decision.reason)
    expect(decision.attendee.partstat).toBe(partstat)
    expect(decision.attendee.history).toEqual([{ partstat, at: context.receivedAt, prodid: '-//Test//Reply//EN', mailKey: 'rsvp/abc' }])
    const counts = countAttendees(attendees.map((a) => (a.email === 'receiver@example.com' ? decision.attendee : a)))
    expect(counts.accepted + counts.declined + counts.tentative + counts.needsAction + counts.delegated).toBe(3)
  })

  it('records a reply from someone never invited as shared, outside the counts', { tags: ['security'] }, async () => {
    const { event: e, attendees } = await event()
    const decision = decideReply(reply('friend@example.org', 'ACCEPTED'), e, null, { email: 'friend@example.org', verified: true }, policy, context)
    if (decision.outcome !== 'reply') throw new Error(decision.reason)
    expect(decision.attendee.source).toBe('shared')
    expect(countAttendees([...attendees, decision.attendee])).toMatchObject({ shared: 1, accepted: 1 })
  })

  it('orders replies to invitations this server sent by the server’s SEQUENCE, and re-asks by it', async () => {
    const { event: e, attendees } = await event()
    const stored = attendees.find((a) => a.email === 'receiver@example.com')!
    const ours = { organizer: { email: 'create@events.localhost', name: null } }
    const at = (sequence: number, dtstamp: string) => ({ ...ours, sequence, dtstamp })
    // The server sent a minor update as SEQUENCE 1 while the organizer's stayed 0: a reply to it counts.
    const accepted = decideReply(reply('receiver@example.com', 'ACCEPTED', at(1, '2022-03-18T00:00:00Z')), e, stored, { email: 'receiver@example.com', verified: true }, policy, { ...context, inviteSequence: 1 })
    if (accepted.outcome !== 'reply') throw new Error(accepted.reason)
    expect(accepted.attendee).toMatchObject({ replySequence: 1, answeredServerInvite: true })
    // The organizer then raises theirs to 1, so the server sends 2: the answer to 1 is re-asked…
    const reasked = mergeAttendees([accepted.attendee], [], 1, 'sender@example.com', 2)
    expect(reasked[0]!.partstat).toBe('NEEDS-ACTION')
    // …and a late reply to the server's SEQUENCE 1 is an answer to an earlier version.
    const late = decideReply(reply('receiver@example.com', 'TENTATIVE', at(1, '2022-03-19T00:00:00Z')), { ...e, sequence: 1 }, reasked[0]!, { email: 'receiver@example.com', verified: true }, policy, { ...context, inviteSequence: 2 })
    expect(late).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/earlier version \(SEQUENCE 1; the event is at 2\)/) })
    // A reply to the organizer's own invitation keeps the organizer's numbering.
    const direct = decideReply(reply('receiver@example.com', 'DECLINED', { sequence: 1, dtstamp: '2022-03-20T00:00:00Z' }), { ...e, sequence: 1 }, reasked[0]!, { email: 'receiver@example.com', verified: true }, policy, { ...context, inviteSequence: 2 })
    expect(direct.outcome).toBe('reply')
  })

  it('rejects a reply sent by someone other than the attendee it names', { tags: ['security'] }, async () => {
    const { event: e, attendees } = await event()
    const decision = decideReply(reply('receiver@example.com', 'DECLINED'), e, attendees[1]!, { email: 'other@example.com', verified: true }, policy, context)
    expect(decision.outcome).toBe('rejected')
  })

  it('ignores a reply for an unknown UID', async () => {
    expect(decideReply(reply('receiver@example.com', 'ACCEPTED'), null, null, { email: 'receiver@example.com', verified: true }, policy, context).outcome).toBe('ignored')
  })

  it('keeps the newer answer when an older reply arrives late', async () => {
    const { event: e, attendees } = await event()
    const stored = attendees.find((a) => a.email === 'receiver@example.com')!
    const newer = decideReply(reply('receiver@example.com', 'DECLINED', { dtstamp: '2022-03-18T00:00:00Z' }), e, stored, { email: 'receiver@example.com', verified: true }, policy, context)
    if (newer.outcome !== 'reply') throw new Error(newer.reason)
    const older = decideReply(reply('receiver@example.com', 'ACCEPTED'), e, newer.attendee, { email: 'receiver@example.com', verified: true }, policy, context)
    expect(older.outcome).toBe('ignored')
  })

  it('records a reply to one occurrence for that occurrence only', async () => {
    const { event: e, attendees } = await event()
    const stored = attendees.find((a) => a.email === 'receiver@example.com')!
    const instance = reply('receiver@example.com', 'DECLINED', { recurrenceId: '2022-03-17T11:00:00Z' })
    const decision = decideReply({ ...instance, master: null, overrides: [instance.master!] }, e, stored, { email: 'receiver@example.com', verified: true }, policy, context)
    if (decision.outcome !== 'reply') throw new Error(decision.reason)
    expect(decision.attendee.partstat).toBe('NEEDS-ACTION')
    expect(decision.attendee.instancePartstats).toEqual({ '2022-03-17T11:00:00Z': 'DECLINED' })
  })

  it('rejects the corpus reply without ATTENDEE', async () => {
    const m = await message('eml/apple__ccs__reply_missing_attendee.eml')
    const { event: e } = await event()
    expect(decideReply(m, e, null, { email: 'xyzzy@example.com', verified: true }, policy, context)).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/names no ATTENDEE/) })
  })
})

describe('ending a series (RANGE=THISANDFUTURE)', () => {
  it.each([
    ['FREQ=DAILY;COUNT=10', '2022-03-17T11:00:00Z', 'FREQ=DAILY;UNTIL=20220317T105959Z'],
    ['FREQ=WEEKLY;UNTIL=20230101T000000Z;BYDAY=MO', '2022-03-21', 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20220321'],
  ])('%s cancelled from %s', (rrule, from, expected) => {
    expect(endSeriesBefore(rrule, from)).toBe(expected)
  })
})
