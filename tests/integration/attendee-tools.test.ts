/**
 * The event page's attendee tools on the local stack: the list filtered, searched and
 * sorted over the whole event (natural order, cursors), its figures, resending one
 * invitation through the send queue, and removing one attendee, who is sent a CANCEL that
 * a standard parser (postal-mime, then ical.js) reads as naming them at a higher SEQUENCE.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import PostalMime from 'postal-mime'
import ICAL from 'ical.js'
import { AttendeeEntity } from '../../server/aws/table'
import { resetConfig } from '../../server/config'
import { loadAttendee, loadEvent } from '../../server/services/event-store'
import { listEventAttendees } from '../../server/services/event-queries'
import { inviteToEvent, loadInvitation } from '../../server/services/invitations'
import { removeAttendee, resendInvitation } from '../../server/services/attendee-tools'
import { unsubscribe } from '../../server/services/suppression'
import { InvalidCursor } from '../../server/services/cursors'
import { deliver, imip, mailbox, organizerCreatesEvent, rawSentMail, received, runSendQueue, useFreshSendQueue, useFreshTable } from './support'

const ORGANIZER = 'olga@tools.example'
const attendeeItems = AttendeeEntity.build(EntityRepository)

async function eventWithInvitations(prefix: string, emails: string[]) {
  const uid = `${prefix}-${randomUUID()}@tools.example`
  await organizerCreatesEvent(uid, ORGANIZER, 'Olga', 'Tools review')
  for (const email of emails) expect(await inviteToEvent({ eventUid: uid, email, origin: 'api', invitedBy: ORGANIZER })).toMatchObject({ outcome: 'queued' })
  await runSendQueue()
  return uid
}

/** An attendee's REPLY mailed to rsvp@, as their calendar sends it. */
async function replies(uid: string, email: string, partstat: string, sequence = 0) {
  const raw = imip(email, mailbox('rsvp'), 'REPLY', [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `SEQUENCE:${sequence}`,
    `DTSTAMP:${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`,
    `ORGANIZER:mailto:${mailbox('rsvp')}`,
    `ATTENDEE;PARTSTAT=${partstat}:mailto:${email}`,
    'END:VEVENT',
  ])
  return deliver('rsvp', received(raw, email))
}

/** Every page of the list, following cursors. */
async function everyPage(uid: string, options: Parameters<typeof listEventAttendees>[1]) {
  const emails: string[] = []
  let cursor: string | undefined
  do {
    const page = await listEventAttendees(uid, { ...options, cursor })
    emails.push(...page.attendees.map((attendee) => attendee.email))
    cursor = page.cursor ?? undefined
  } while (cursor)
  return emails
}

describe('attendee tools', () => {
  beforeAll(async () => {
    process.env.CIS_SEND_RATE = '500'
    resetConfig()
    await useFreshTable()
    await useFreshSendQueue(3)
  })

  describe('the list over the whole event', () => {
    const uid = `list-${randomUUID()}@tools.example`
    beforeAll(async () => {
      await organizerCreatesEvent(uid, ORGANIZER, 'Olga', 'Busy')
      // Stored directly: the list reads what is stored, whoever wrote it.
      const answers = ['ACCEPTED', 'DECLINED', 'TENTATIVE', 'NEEDS-ACTION'] as const
      await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          attendeeItems.put({
            eventUid: uid,
            email: `person${index + 1}@guests.example`,
            name: `Person ${index + 1}`,
            partstat: answers[index % 4],
            source: index === 11 ? 'shared' : 'invite',
            ...(answers[index % 4] !== 'NEEDS-ACTION' ? { repliedAt: `2026-11-${String(10 + index).padStart(2, '0')}T10:00:00.000Z` } : {}),
          }),
        ),
      )
      await attendeeItems.put({ eventUid: uid, email: 'jose@guests.example', name: 'José Núñez', partstat: 'ACCEPTED', source: 'organizer', repliedAt: '2026-11-30T10:00:00.000Z' })
    })

    it('orders names naturally (Person 2 before Person 10) across pages', async () => {
      const emails = await everyPage(uid, { limit: 5, sort: 'name' })
      expect(emails).toEqual(['jose@guests.example', ...Array.from({ length: 12 }, (_, index) => `person${index + 1}@guests.example`)])
    })

    it('filters by answer and searches names and addresses (accents ignored) over the whole event', async () => {
      const accepted = await listEventAttendees(uid, { limit: 2, status: 'ACCEPTED' })
      expect(accepted.matching).toBe(4)
      expect(accepted.attendees.map((a) => a.email)).toEqual(['jose@guests.example', 'person1@guests.example'])
      expect(await everyPage(uid, { limit: 2, status: 'ACCEPTED' })).toEqual(['jose@guests.example', 'person1@guests.example', 'person5@guests.example', 'person9@guests.example'])
      expect((await listEventAttendees(uid, { limit: 50, q: 'jose' })).attendees.map((a) => a.email)).toEqual(['jose@guests.example'])
      expect((await listEventAttendees(uid, { limit: 50, q: 'NÚÑ' })).attendees.map((a) => a.email)).toEqual(['jose@guests.example'])
      expect((await listEventAttendees(uid, { limit: 50, q: 'person1' })).matching).toBe(4)
    })

    it('sorts by answer (yes first) and by reply time (latest first, no reply last)', async () => {
      const byAnswer = await everyPage(uid, { limit: 4, sort: 'answer' })
      expect(byAnswer.slice(0, 4)).toEqual(['jose@guests.example', 'person1@guests.example', 'person5@guests.example', 'person9@guests.example'])
      expect(byAnswer.slice(-3)).toEqual(['person4@guests.example', 'person8@guests.example', 'person12@guests.example'])
      const byReply = await everyPage(uid, { limit: 4, sort: 'replied' })
      expect(byReply.slice(0, 3)).toEqual(['jose@guests.example', 'person11@guests.example', 'person10@guests.example'])
      expect(byReply.slice(-3)).toEqual(['person4@guests.example', 'person8@guests.example', 'person12@guests.example'])
    })

    it('gives the response figures over everyone, whatever the filter, and labels shared repliers', async () => {
      const page = await listEventAttendees(uid, { limit: 50, status: 'DECLINED' })
      // 12 invited (11 by invite, José by the organizer); person12 answered a forwarded invite.
      expect(page.summary).toEqual({ invited: 12, answered: 10, shared: 1, accepted: 4, tentative: 3, headcount: 7 })
      const all = await listEventAttendees(uid, { limit: 50 })
      expect(all.attendees.find((a) => a.email === 'person12@guests.example')?.source).toBe('shared')
    })

    it('refuses a cursor of another order', async () => {
      const first = await listEventAttendees(uid, { limit: 2, sort: 'name' })
      await expect(listEventAttendees(uid, { limit: 2, sort: 'answer', cursor: first.cursor! })).rejects.toBeInstanceOf(InvalidCursor)
    })
  })

  it('resends an invitation that was sent: the current version once more, through the send queue', async () => {
    const uid = await eventWithInvitations('resend', ['rita@guests.example'])
    const stored = (await loadEvent(uid))!
    expect((await loadInvitation(uid, 'rita@guests.example'))?.status).toBe('sent')
    const since = Date.now()
    expect(await resendInvitation(stored, 'rita@guests.example', ORGANIZER)).toMatchObject({ outcome: 'queued' })
    expect((await loadInvitation(uid, 'rita@guests.example'))?.status).toBe('queued')
    await runSendQueue()
    expect(await rawSentMail(since, 'rita@guests.example')).toHaveLength(1)
    expect((await loadInvitation(uid, 'rita@guests.example'))?.status).toBe('sent')
    // Someone the organizer's calendar named, never invited from here, is invited now.
    await attendeeItems.put({ eventUid: uid, email: 'named@guests.example', partstat: 'NEEDS-ACTION', source: 'organizer' })
    expect(await resendInvitation(stored, 'named@guests.example', ORGANIZER)).toMatchObject({ outcome: 'queued' })
    expect(await resendInvitation(stored, 'named@guests.example', ORGANIZER)).toMatchObject({ outcome: 'already-queued' })
    expect(await resendInvitation(stored, 'nobody@guests.example', ORGANIZER)).toBeNull()
  })

  it('refuses to resend to an unsubscribed address, saying why', async () => {
    const uid = await eventWithInvitations('unsub', ['ursula@guests.example'])
    await unsubscribe('ursula@guests.example')
    const result = await resendInvitation((await loadEvent(uid))!, 'ursula@guests.example', ORGANIZER)
    expect(result?.outcome).toBe('refused')
    expect(result?.message).toMatch(/unsubscribed/i)
  })

  it('removes an attendee, who is sent a CANCEL naming them with a higher SEQUENCE', async () => {
    const uid = await eventWithInvitations('remove', ['carl@guests.example', 'stays@guests.example'])
    const answerOf = async (email: string) => (await listEventAttendees(uid, { limit: 50 })).attendees.find((a) => a.email === email)?.partstat
    // Read before each change: the rows kept for the list follow every change (the event's version).
    expect(await answerOf('carl@guests.example')).toBe('NEEDS-ACTION')
    expect(await replies(uid, 'carl@guests.example', 'ACCEPTED')).toMatchObject({ outcome: 'reply' })
    expect(await answerOf('carl@guests.example')).toBe('ACCEPTED')
    const before = (await loadEvent(uid))!
    const sentBefore = (await loadInvitation(uid, 'carl@guests.example'))!.sentSequence!
    const since = Date.now()

    expect(await removeAttendee(uid, 'Carl@Guests.example')).toMatchObject({ outcome: 'removed' })
    expect(await loadAttendee(uid, 'carl@guests.example')).toBeNull()
    expect(await loadInvitation(uid, 'carl@guests.example')).toBeNull()
    expect(await answerOf('carl@guests.example')).toBeUndefined()
    const after = (await loadEvent(uid))!
    const counts = async () => (await listEventAttendees(uid, { limit: 50 })).summary
    expect(await counts()).toMatchObject({ invited: 1, accepted: 0 })
    expect(after.inviteSequence).toBeGreaterThan(before.inviteSequence)

    await runSendQueue()
    const sent = await rawSentMail(since, 'carl@guests.example')
    expect(sent).toHaveLength(1)
    const mail = await PostalMime.parse(sent[0]!.raw)
    const ics = mail.attachments.find((a) => a.mimeType === 'text/calendar')
    const text = ics ? (typeof ics.content === 'string' ? ics.content : new TextDecoder().decode(ics.content)) : ''
    const calendar = new ICAL.Component(ICAL.parse(text))
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL')
    const vevent = calendar.getFirstSubcomponent('vevent')!
    expect(vevent.getFirstPropertyValue('uid')).toBe(uid)
    expect(Number(vevent.getFirstPropertyValue('sequence'))).toBeGreaterThan(sentBefore)
    expect(vevent.getAllProperties('attendee').map((p) => String(p.getFirstValue()).toLowerCase())).toEqual(['mailto:carl@guests.example'])
    // Nobody else is mailed; removing again finds no one.
    expect(await rawSentMail(since, 'stays@guests.example')).toHaveLength(0)
    expect(await removeAttendee(uid, 'carl@guests.example')).toBeNull()
  })
})
