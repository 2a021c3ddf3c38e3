/**
 * The RSVP round trip on the local stack (issue 4, item 6): the organizer's invite creates an
 * event, the server invites an attendee (send queue played as Lambda plays it, SES stand-in
 * keeping the raw bytes), the attendee's client answers the invitation it received the way
 * Gmail, Outlook, Apple Calendar or Thunderbird answer (tests/support/calendar-replies.ts),
 * the answer is mailed over SMTP to the rsvp@ mailbox of the local receipt rule, and the
 * inbound queue is handled by the real inbound handler. Then the attendee's status, the
 * event's counts and the mail log say what happened.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import nodemailer, { type Mail } from 'nodemailer'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity, MailLogEntity } from '../../server/aws/table'
import { config, resetConfig } from '../../server/config'
import { deleteFromQueue, receiveFromQueue } from '../../server/aws/queue'
import { recordsToDelete, toSqsRecord } from '../../server/local/poller'
import { handleInboundMail } from '../../server/queues/inbound-mail'
import { loadAttendee } from '../../server/services/event-store'
import { inviteToEvent } from '../../server/services/invitations'
import { replyTo, readInvitation, type CalendarClient, type ReplyAnswer, type ReplyOptions } from '../support/calendar-replies'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue, useFreshSendQueue, useFreshTable } from './support'

const events = EventEntity.build(EntityRepository)
const mailLog = MailLogEntity.build(EntityRepository)
const ORGANIZER = 'olga@organizer.example'

/** The organizer's invitation (or update) mailed in to create@ from their own calendar, verified. */
async function organizerSends(uid: string, options: { sequence: number; stamp?: string; start?: string; summary?: string }) {
  const raw = imip(ORGANIZER, mailbox('create'), 'REQUEST', [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `SEQUENCE:${options.sequence}`,
    `DTSTAMP:${options.stamp ?? `2026112${options.sequence}T100000Z`}`,
    `DTSTART:${options.start ?? '20270115T090000Z'}`,
    'DTEND:20270115T100000Z',
    `SUMMARY:${options.summary ?? 'Quarterly review'}`,
    'LOCATION:Room 4\\, second floor',
    `ORGANIZER;CN=Olga:mailto:${ORGANIZER}`,
    `ATTENDEE;CN=Olga;PARTSTAT=ACCEPTED:mailto:${ORGANIZER}`,
    'END:VEVENT',
  ])
  return deliver('create', received(raw, ORGANIZER))
}

/** A new event with one attendee invited by the server; returns the invitation they received. */
async function eventWithInvitedAttendee(prefix: string, email: string, name: string) {
  const uid = `${prefix}-${randomUUID()}@organizer.example`
  expect(await organizerSends(uid, { sequence: 0 })).toMatchObject({ outcome: 'created' })
  const since = Date.now()
  expect(await inviteToEvent({ eventUid: uid, email, name, origin: 'api', invitedBy: ORGANIZER })).toMatchObject({ outcome: 'queued' })
  await runSendQueue()
  return { uid, invitation: await onlyInvitationSince(since, email) }
}

async function onlyInvitationSince(since: number, email: string): Promise<Buffer> {
  const sent = await rawSentMail(since, email)
  expect(sent, `invitations sent to ${email}`).toHaveLength(1)
  return sent[0]!.raw
}

let transport: Mail

/**
 * Mails a message to the rsvp@ mailbox over SMTP and handles the inbound queue until that
 * message has a final outcome in the mail log. `forged` sends it from an envelope sender
 * at forged.test, whose SPF and DKIM the test stack fails (as a forger's would).
 */
async function mailToRsvp(raw: string, from: string, forged = false) {
  const info = (await transport.sendMail({
    envelope: { from: forged ? 'mallory@forged.test' : from, to: [mailbox('rsvp')] },
    raw,
  })) as { response: string }
  const id = /Ok (\S+)/.exec(info.response)?.[1]
  expect(id, info.response).toBeTruthy()
  const key = `rsvp/${id}`
  await runInboundQueue()
  const { Item } = await mailLog.get({ key }, { consistent: true })
  expect(Item, `mail log entry for ${key}`).toBeDefined()
  return Item!
}

/** Plays the inbound function's event source mapping until the queue is empty. */
async function runInboundQueue() {
  const arn = `arn:aws:sqs:${config().region}:000000000000:${config().queues.inbound}`
  for (let idle = 0; idle < 2; ) {
    const messages = await receiveFromQueue('inbound', 10, idle === 0 ? 1 : 0)
    if (!messages.length) {
      idle++
      continue
    }
    idle = 0
    const records = messages.map((message) => toSqsRecord(message, arn, config().region))
    const done = new Set(recordsToDelete(records, await handleInboundMail({ Records: records })).map((r) => r.messageId))
    await deleteFromQueue('inbound', messages.filter((m) => done.has(m.MessageId!)))
  }
}

async function countsOf(uid: string) {
  const { Item } = await events.get({ uid }, { consistent: true })
  return { counts: Item!.counts, attendeeCount: Item!.attendeeCount }
}

async function answer(invitation: Buffer, client: CalendarClient, options: ReplyOptions, forged?: boolean, shape?: RegExp) {
  const reply = await replyTo(invitation, client, options)
  if (shape) expect(reply.raw, `${client}'s MIME shape`).toMatch(shape)
  return mailToRsvp(reply.raw, reply.from, forged)
}

/** The mark of each client's shape in the mail it sends (tests/support/calendar-replies.ts). */
const SHAPES: Record<CalendarClient, RegExp> = {
  gmail: /^Content-Type: text\/calendar; charset="UTF-8"; method=REPLY\r\nContent-Transfer-Encoding: base64\r\n[^]*^Content-Type: application\/ics; name="invite.ics"/m,
  outlook: /^Content-Type: text\/calendar; charset="utf-8"; method=REPLY\r\nContent-Transfer-Encoding: base64$/m,
  apple: /^Content-Type: text\/calendar;\r\n\tx-unix-mode=0644;\r\n\tname="iCal-[^"]+\.ics"\r\nContent-Transfer-Encoding: quoted-printable$/m,
  lightning: /^Content-Type: text\/calendar; method=REPLY; charset=UTF-8\r\nContent-transfer-encoding: 8BIT$/m,
}

describe('RSVP round trip: invitation sent, answered by a real client shape, mailed to rsvp@', () => {
  beforeAll(async () => {
    process.env.CIS_SEND_RATE = '500'
    resetConfig()
    await useFreshTable()
    await useFreshSendQueue(3)
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(process.env.CIS_LOCAL_SMTP_PORT), secure: false, ignoreTLS: true })
  })
  afterAll(() => transport?.close())

  it.each<[CalendarClient, ReplyAnswer, keyof Awaited<ReturnType<typeof countsOf>>['counts']]>([
    ['gmail', 'ACCEPTED', 'accepted'],
    ['outlook', 'DECLINED', 'declined'],
    ['apple', 'TENTATIVE', 'tentative'],
    ['lightning', 'ACCEPTED', 'accepted'],
  ])('%s answering %s changes the attendee, the counts and logs a reply', async (client, partstat, countKey) => {
    const email = `${client}-${randomUUID().slice(0, 8)}@attendee.example`
    const { uid, invitation } = await eventWithInvitedAttendee(`rsvp-${client}`, email, 'Bob Søndergaard')
    const sentVersion = (await readInvitation(invitation)).components[0]!
    expect(sentVersion).toMatchObject({ uid, attendee: { email } })
    expect(await loadAttendee(uid, email)).toMatchObject({ partstat: 'NEEDS-ACTION', source: 'invite' })
    const before = await countsOf(uid)
    expect(before).toMatchObject({ attendeeCount: 2, counts: { accepted: 1, needsAction: 1 } })

    const comment = client === 'outlook' ? 'Sorry, I am travelling that week.' : undefined
    const entry = await answer(invitation, client, { answer: partstat, comment }, undefined, SHAPES[client])

    expect(entry).toMatchObject({ outcome: 'reply', mailbox: 'rsvp', method: 'REPLY', eventUid: uid, sender: email, senderVerified: true })
    expect(await loadAttendee(uid, email)).toMatchObject({
      partstat,
      source: 'invite',
      name: 'Bob Søndergaard',
      replySequence: sentVersion.sequence,
      history: [expect.objectContaining({ partstat, mailKey: entry.key })],
    })
    const after = await countsOf(uid)
    expect(after.attendeeCount).toBe(2)
    expect(after.counts.needsAction).toBe(before.counts.needsAction - 1)
    expect(after.counts[countKey]).toBe(before.counts[countKey] + 1)
  })

  it('an attendee who changes their mind later (Apple: accept, then decline) ends declined, with both answers in the history', async () => {
    const email = `changes-${randomUUID().slice(0, 8)}@attendee.example`
    const { uid, invitation } = await eventWithInvitedAttendee('rsvp-change', email, 'Carla')
    const first = new Date(Date.now() - 60_000)
    expect(await answer(invitation, 'apple', { answer: 'ACCEPTED', now: first })).toMatchObject({ outcome: 'reply' })
    expect(await countsOf(uid)).toMatchObject({ counts: { accepted: 2, needsAction: 0, declined: 0 } })

    expect(await answer(invitation, 'apple', { answer: 'DECLINED', now: new Date(first.getTime() + 30_000) })).toMatchObject({ outcome: 'reply' })
    const attendee = await loadAttendee(uid, email)
    expect(attendee).toMatchObject({ partstat: 'DECLINED' })
    expect(attendee!.history.map((h) => h.partstat)).toEqual(['ACCEPTED', 'DECLINED'])
    expect(await countsOf(uid)).toMatchObject({ attendeeCount: 2, counts: { accepted: 1, needsAction: 0, declined: 1 } })

    // The first answer arriving again late (a retried delivery, an older stamp) changes nothing.
    expect(await answer(invitation, 'apple', { answer: 'ACCEPTED', now: first })).toMatchObject({ outcome: 'ignored' })
    expect(await loadAttendee(uid, email)).toMatchObject({ partstat: 'DECLINED' })
  })

  it('a reply whose SPF and DKIM both fail changes nothing and is rejected with the reason', { tags: ['security'] }, async () => {
    const email = `spoofed-${randomUUID().slice(0, 8)}@attendee.example`
    const { uid, invitation } = await eventWithInvitedAttendee('rsvp-spoof', email, 'Dan')
    const before = await countsOf(uid)

    const entry = await answer(invitation, 'gmail', { answer: 'ACCEPTED' }, true)

    expect(entry).toMatchObject({ outcome: 'rejected', senderVerified: false, reason: expect.stringMatching(/could not confirm it was sent by .*: no DMARC pass, nor an SPF pass/) })
    expect(await loadAttendee(uid, email)).toMatchObject({ partstat: 'NEEDS-ACTION', history: [] })
    expect(await countsOf(uid)).toEqual(before)
  })

  it('a reply from someone who was not invited (a forwarded invite) is kept as shared, outside the answer counts', { tags: ['security'] }, async () => {
    const invited = `invited-${randomUUID().slice(0, 8)}@attendee.example`
    const colleague = `colleague-${randomUUID().slice(0, 8)}@elsewhere.example`
    const { uid, invitation } = await eventWithInvitedAttendee('rsvp-shared', invited, 'Erin')
    const before = await countsOf(uid)

    // Erin forwards the invitation; her colleague accepts it in Outlook, answering for themself.
    const entry = await answer(invitation, 'outlook', { answer: 'ACCEPTED', attendee: { email: colleague, name: 'Frank Colleague' } })

    expect(entry).toMatchObject({ outcome: 'reply', sender: colleague, reason: expect.stringMatching(/not invited: recorded as shared/) })
    expect(await loadAttendee(uid, colleague)).toMatchObject({ partstat: 'ACCEPTED', source: 'shared', name: 'Frank Colleague' })
    expect(await loadAttendee(uid, invited)).toMatchObject({ partstat: 'NEEDS-ACTION', source: 'invite' })
    const after = await countsOf(uid)
    expect(after.attendeeCount).toBe(before.attendeeCount + 1)
    expect(after.counts).toEqual({ ...before.counts, shared: before.counts.shared + 1 })
  })

  it('after the organizer moves the event, an answer to the earlier invitation is ignored; an answer to the update counts', async () => {
    const email = `moved-${randomUUID().slice(0, 8)}@attendee.example`
    const { uid, invitation: original } = await eventWithInvitedAttendee('rsvp-stale', email, 'Gina')
    expect((await readInvitation(original)).components[0]!.sequence).toBe(0)

    // The organizer moves it a day (SEQUENCE 1); the server sends Gina the update.
    const since = Date.now()
    expect(await organizerSends(uid, { sequence: 1, start: '20270116T090000Z' })).toMatchObject({ outcome: 'updated' })
    await runSendQueue()
    const update = await onlyInvitationSince(since, email)
    expect((await readInvitation(update)).components[0]!.sequence).toBe(1)
    const before = await countsOf(uid)

    // Gina's Gmail still shows the first invitation, and she accepts that one.
    const stale = await answer(original, 'gmail', { answer: 'ACCEPTED' })
    expect(stale).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/earlier version/) })
    expect(await loadAttendee(uid, email)).toMatchObject({ partstat: 'NEEDS-ACTION' })
    expect(await countsOf(uid)).toEqual(before)

    // Her answer to the update counts.
    expect(await answer(update, 'gmail', { answer: 'DECLINED' })).toMatchObject({ outcome: 'reply' })
    expect(await loadAttendee(uid, email)).toMatchObject({ partstat: 'DECLINED', replySequence: 1 })
  })

  it('the SEQUENCE of the invitations the server sent orders replies, also when a minor update raised it before the organizer did', async () => {
    const email = `minor-${randomUUID().slice(0, 8)}@attendee.example`
    const { uid, invitation: original } = await eventWithInvitedAttendee('rsvp-minor', email, 'Hank')

    // A minor change (same SEQUENCE 0, newer DTSTAMP: how Google sends a new title); the server
    // must still send Hank the change, so its invitation carries SEQUENCE 1.
    let since = Date.now()
    expect(await organizerSends(uid, { sequence: 0, stamp: '20261121T090000Z', summary: 'Quarterly review, with agenda' })).toMatchObject({ outcome: 'updated' })
    await runSendQueue()
    const minor = await onlyInvitationSince(since, email)
    expect((await readInvitation(minor)).components[0]!.sequence).toBe(1)

    // Hank accepts the version he has (SEQUENCE 1 as sent to him).
    expect(await answer(minor, 'lightning', { answer: 'ACCEPTED', now: new Date(Date.now() - 60_000) })).toMatchObject({ outcome: 'reply' })
    expect(await loadAttendee(uid, email)).toMatchObject({ partstat: 'ACCEPTED' })

    // Now the organizer moves the event (their SEQUENCE 1): Hank's acceptance was for the old
    // time, so he must be asked again (ITIP 11), and the server sends him SEQUENCE 2.
    since = Date.now()
    expect(await organizerSends(uid, { sequence: 1, stamp: '20261122T090000Z', start: '20270116T090000Z' })).toMatchObject({ outcome: 'updated' })
    await runSendQueue()
    const moved = await onlyInvitationSince(since, email)
    expect((await readInvitation(moved)).components[0]!.sequence).toBe(2)
    // Soft: this and the next check fail today (rules.ts compares the reply's SEQUENCE, which
    // is the server's invitation SEQUENCE, with the organizer's own SEQUENCE); see the report.
    expect.soft(await loadAttendee(uid, email), 'an answer given before the event moved is re-asked').toMatchObject({ partstat: 'NEEDS-ACTION' })

    // A late answer to the minor update (SEQUENCE 1, older than the 2 the server sent since)
    // answers the old time and must change nothing (ITIP 9).
    const late = await answer(minor, 'outlook', { answer: 'TENTATIVE' })
    expect.soft(late, 'an answer to an invitation older than the last one sent is ignored').toMatchObject({ outcome: 'ignored' })
    expect.soft(await loadAttendee(uid, email), 'the late answer to the old time changed nothing').not.toMatchObject({ partstat: 'TENTATIVE' })

    // His answer to the current invitation counts.
    expect(await answer(moved, 'apple', { answer: 'ACCEPTED' })).toMatchObject({ outcome: 'reply' })
    expect(await loadAttendee(uid, email)).toMatchObject({ partstat: 'ACCEPTED', replySequence: 2 })
  })
})
