/**
 * Sending invites on the local stack: the invite service, the send queue played as Lambda
 * plays it, and SES (its raw bytes kept by the local SES front). Exactly once per
 * (event, person, SEQUENCE) across duplicate jobs, duplicate deliveries, dead workers,
 * organizer updates and cancellations.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import { SendRecordEntity } from '../../server/aws/table'
import { clients } from '../../server/aws/clients'
import { queueUrl } from '../../server/aws/queue'
import { config, resetConfig } from '../../server/config'
import { loadAttendee, loadEvent } from '../../server/services/event-store'
import { inviteToEvent, loadInvitation, unsubscribeUrl, unsubscribeByToken } from '../../server/services/invitations'
import { enqueueSendJobs } from '../../server/services/send-jobs'
import { createSendHandler } from '../../server/queues/send'
import { readCalendar } from '../../server/domain/ical/read-calendar'
import { expectProperInvitation } from '../support/invitation-mime'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue, useFreshSendQueue, useFreshTable } from './support'

const sendRecords = SendRecordEntity.build(EntityRepository)
const ORGANIZER = 'olga@organizer.example'

/** The organizer's invitation (or update / cancel) mailed in to create@, verified. */
async function organizerSends(uid: string, options: { sequence: number; method?: 'REQUEST' | 'CANCEL'; summary?: string; start?: string }) {
  const method = options.method ?? 'REQUEST'
  const raw = imip(ORGANIZER, mailbox('create'), method, [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `SEQUENCE:${options.sequence}`,
    `DTSTAMP:2026112${options.sequence}T100000Z`,
    `DTSTART:${options.start ?? '20270115T090000Z'}`,
    'DTEND:20270115T100000Z',
    `SUMMARY:${options.summary ?? 'Quarterly review'}`,
    ...(method === 'CANCEL' ? ['STATUS:CANCELLED'] : []),
    `ORGANIZER;CN=Olga:mailto:${ORGANIZER}`,
    `ATTENDEE;CN=Olga;PARTSTAT=ACCEPTED:mailto:${ORGANIZER}`,
    'END:VEVENT',
  ])
  return deliver('create', received(raw, ORGANIZER))
}

const calendarOf = (raw: Buffer) => {
  const text = raw.toString('latin1')
  const base64 = /Content-Type: text\/calendar[^]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n(?:\r\n|--)/.exec(text)?.[1]
  return readCalendar(Buffer.from(base64!.replace(/\r\n/g, ''), 'base64').toString('utf8'))
}

const invite = (eventUid: string, email: string, name?: string) => inviteToEvent({ eventUid, email, name, origin: 'api', invitedBy: ORGANIZER })

describe('sending invites', () => {
  beforeAll(async () => {
    process.env.CIS_SEND_RATE = '500'
    resetConfig()
    await useFreshTable()
    await useFreshSendQueue(3)
  })

  it('records the attendee, queues one send and sends a proper invitation once', async () => {
    const uid = `send-one-${randomUUID()}`
    expect(await organizerSends(uid, { sequence: 0 })).toMatchObject({ outcome: 'created' })
    const since = Date.now()

    const result = await invite(uid, 'Bob@Example.org', 'Bob Søndergaard')
    expect(result).toMatchObject({ outcome: 'queued', invitation: { email: 'bob@example.org', origin: 'api', status: 'queued' } })
    expect(await loadAttendee(uid, 'bob@example.org')).toMatchObject({ partstat: 'NEEDS-ACTION', source: 'invite' })
    expect((await loadEvent(uid))?.state).toBeDefined()
    const event = await clients().documents.send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: config().tableName, Key: { pk: `EVENT#${uid}`, sk: 'EVENT' } }),
    )
    expect(event.Item).toMatchObject({ attendeeCount: 2, counts: { needsAction: 1, accepted: 1 } })

    // Asking twice changes nothing and sends nothing more.
    expect(await invite(uid, 'bob@example.org')).toMatchObject({ outcome: 'already-invited' })
    await runSendQueue()

    const sent = await rawSentMail(since, 'bob@example.org')
    expect(sent).toHaveLength(1)
    expectProperInvitation(sent[0]!.raw, { method: 'REQUEST', recipient: 'bob@example.org', uid, sequence: 0, unsubscribe: true })
    expect(await loadInvitation(uid, 'bob@example.org')).toMatchObject({ status: 'sent', sentSequence: 0, sentMethod: 'REQUEST', error: null })
  })

  it('sends once when the same job is queued twice and delivered concurrently', async () => {
    const uid = `send-dup-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    await invite(uid, 'carol@example.org')
    const since = Date.now()
    // The queued job plus two more copies, as SQS may deliver: one batch handles them at once.
    await enqueueSendJobs([
      { type: 'deliver', eventUid: uid, email: 'carol@example.org' },
      { type: 'deliver', eventUid: uid, email: 'carol@example.org' },
    ])
    await runSendQueue()
    expect(await rawSentMail(since, 'carol@example.org')).toHaveLength(1)
  })

  it('refuses the server’s own mailboxes, cancelled events and unsubscribed addresses, each with a reason', async () => {
    const uid = `send-refuse-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    expect(await invite(uid, mailbox('rsvp'))).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('own mailboxes') })
    expect(await invite('no-such-event', 'dan@example.org')).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('no event') })

    await invite(uid, 'erin@example.org')
    await runSendQueue()
    const token = unsubscribeUrl('erin@example.org', uid).split('/').pop()!
    expect(await unsubscribeByToken(token)).toEqual({ email: 'erin@example.org' })
    expect(await unsubscribeByToken(`${token.slice(0, -2)}xx`)).toBeNull()
    expect(await loadInvitation(uid, 'erin@example.org')).toMatchObject({ status: 'unsubscribed' })
    const other = `send-refuse-2-${randomUUID()}`
    await organizerSends(other, { sequence: 0 })
    expect(await invite(other, 'erin@example.org')).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/unsubscribed/i) })

    await organizerSends(uid, { sequence: 1, method: 'CANCEL' })
    expect(await invite(uid, 'fred@example.org')).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('cancelled') })
  })

  it('sends the organizer’s update, then the cancellation, to every invited attendee exactly once, page by page', async () => {
    const uid = `send-fanout-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    const people = Array.from({ length: 23 }, (_, i) => `guest${String(i).padStart(2, '0')}@example.org`)
    for (const email of people) await invite(uid, email)
    const handler = createSendHandler({ backoffSeconds: 0, fanOutPage: 5, log: () => {} })
    const since = Date.now()
    await runSendQueue(handler)

    // The organizer moves the event (SEQUENCE 1) and then cancels it (SEQUENCE 2), in their calendar.
    expect(await organizerSends(uid, { sequence: 1, start: '20270116T090000Z', summary: 'Quarterly review (moved)' })).toMatchObject({ outcome: 'updated' })
    await runSendQueue(handler)
    expect(await organizerSends(uid, { sequence: 2, method: 'CANCEL' })).toMatchObject({ outcome: 'cancelled' })
    // A duplicate of the cancel fan-out changes nothing.
    await enqueueSendJobs([{ type: 'fan-out', eventUid: uid }])
    await runSendQueue(handler)

    const sent = await rawSentMail(since)
    for (const email of people) {
      const theirs = sent.filter((m) => m.to.includes(email))
      expect(theirs.map((m) => calendarOf(m.raw).method), email).toEqual(['REQUEST', 'REQUEST', 'CANCEL'])
      const [first, update, cancel] = theirs.map((m) => calendarOf(m.raw).master!)
      expect(update!.sequence).toBeGreaterThan(first!.sequence)
      expect(update!.start).toBe('2027-01-16T09:00:00Z')
      expect(cancel!.sequence).toBeGreaterThan(update!.sequence)
      expect(cancel!.status).toBe('CANCELLED')
      expectProperInvitation(theirs[2]!.raw, { method: 'CANCEL', recipient: email, uid, sequence: cancel!.sequence })
    }
    // The organizer hears about their own change by notification, never by invitation.
    expect(sent.filter((m) => m.to.includes(ORGANIZER) && m.raw.includes('text/calendar'))).toHaveLength(0)
  })

  it('sends an update even when the organizer did not raise SEQUENCE, with a SEQUENCE above the last one sent', async () => {
    const uid = `send-sameseq-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    await invite(uid, 'gina@example.org')
    await runSendQueue()
    const since = Date.now()
    // Same SEQUENCE, newer DTSTAMP, new title: how Google sends a description-only change.
    const raw = imip(ORGANIZER, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261128T100000Z', 'DTSTART:20270115T090000Z', 'DTEND:20270115T100000Z',
      'SUMMARY:Quarterly review, with agenda', `ORGANIZER;CN=Olga:mailto:${ORGANIZER}`, 'END:VEVENT',
    ])
    expect(await deliver('create', received(raw, ORGANIZER))).toMatchObject({ outcome: 'updated' })
    await runSendQueue()
    const sent = await rawSentMail(since, 'gina@example.org')
    expect(sent).toHaveLength(1)
    expect(calendarOf(sent[0]!.raw).master).toMatchObject({ sequence: 1, summary: 'Quarterly review, with agenda' })
  })

  it('does not send twice when a worker died after claiming; a fresh claim is left to its worker', async () => {
    const uid = `send-dead-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    await invite(uid, 'hank@example.org')
    await invite(uid, 'iris@example.org')
    // What a worker leaves behind when it dies between claiming and recording the send:
    // for hank long ago (its lease is over), for iris just now (it may still be sending).
    const claim = (email: string, claimedAt: string) =>
      sendRecords.put({ key: `${uid}#${email}#0`, eventUid: uid, email, sequence: 0, method: 'REQUEST', status: 'claimed', claimedAt })
    await claim('hank@example.org', new Date(Date.now() - 10 * 60_000).toISOString())
    await claim('iris@example.org', new Date().toISOString())
    const since = Date.now()
    await runSendQueue(createSendHandler({ backoffSeconds: 0, log: () => {} }), { maxBatches: 3 })

    expect(await rawSentMail(since)).toHaveLength(0)
    expect(await loadInvitation(uid, 'hank@example.org')).toMatchObject({ status: 'unknown', error: expect.stringContaining('not sent twice') })
    expect((await sendRecords.get({ key: `${uid}#hank@example.org#0` })).Item?.status).toBe('unknown')
    // iris's job is still waiting for its claim to be confirmed or to expire.
    expect(await loadInvitation(uid, 'iris@example.org')).toMatchObject({ status: 'queued' })
  })

  it('retries a send SES cannot take, then gives up into the dead-letter queue with the reason on the invitation', async () => {
    const uid = `send-down-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    const workingSes = process.env.CIS_SES_ENDPOINT
    process.env.CIS_SES_ENDPOINT = 'http://127.0.0.1:9' // nothing listens: every send fails
    resetConfig()
    const { resetClients } = await import('../../server/aws/clients')
    resetClients()
    try {
      await invite(uid, 'jack@example.org')
      await runSendQueue(createSendHandler({ backoffSeconds: 0, log: () => {} }), { idleRounds: 3 })
    } finally {
      process.env.CIS_SES_ENDPOINT = workingSes
      resetConfig()
      resetClients()
    }
    expect(await loadInvitation(uid, 'jack@example.org')).toMatchObject({ status: 'failed', error: expect.stringMatching(/Gave up after 3 attempts/) })
    const dlq = await clients().sqs.send(
      new ReceiveMessageCommand({ QueueUrl: (await queueUrl('send')).replace(/$/, '-dlq'), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    )
    expect(dlq.Messages?.map((m) => JSON.parse(m.Body!))).toContainEqual({ type: 'deliver', eventUid: uid, email: 'jack@example.org' })
  })
})
