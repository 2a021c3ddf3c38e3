/**
 * Sending invites on the local stack: the invite service, the send queue played as Lambda
 * plays it, and SES (its raw bytes kept by the local SES front). Exactly once per
 * (event, person, SEQUENCE) across duplicate jobs, duplicate deliveries, dead workers,
 * organizer updates and cancellations.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EntityRepository } from 'dynamodb-toolbox'
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import { SendRecordEntity } from '../../server/aws/table'
import type { AddressInfo } from 'node:net'
import { clients, resetClients } from '../../server/aws/clients'
import { startSesServer } from '../../server/local/stack'
import { startSesFront } from '../../server/local/ses-front'
import { queueUrl } from '../../server/aws/queue'
import { config, resetConfig } from '../../server/config'
import { loadAttendee, loadEvent } from '../../server/services/event-store'
import { inviteToEvent, loadInvitation, unsubscribeUrl, unsubscribeByToken } from '../../server/services/invitations'
import { enqueueSendJobs } from '../../server/services/send-jobs'
import { createSendHandler } from '../../server/queues/send'
import { handleSesEvents } from '../../server/queues/ses-events'
import { readCalendar } from '../../server/domain/ical/read-calendar'
import PostalMime from 'postal-mime'
import { expectProperInvitation } from '../support/invitation-mime'
import { captureLog } from '../support/log-lines'
import { corpusFile, hasCorpus } from '../corpus'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue, sqsRecord, useFreshSendQueue, useFreshTable } from './support'

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

  it('sends a queued notification once, however often its job is delivered', async () => {
    const since = Date.now()
    const job = { type: 'notify' as const, key: `create/${randomUUID()}`, template: 'eventUpdated' as const, to: 'nora@example.org', values: { summary: 'Board meeting', organizerName: 'Nora' }, inReplyTo: null }
    await enqueueSendJobs([job, job, job])
    await runSendQueue()
    const sent = await rawSentMail(since, 'nora@example.org')
    expect(sent).toHaveLength(1)
    expect((await PostalMime.parse(sent[0]!.raw)).subject).toBe('Your event "Board meeting" was updated')
  })

  it('emails the attendee report as a CSV attachment to whoever asked, once per request', async () => {
    const uid = `send-report-${randomUUID()}`
    await organizerSends(uid, { sequence: 0, summary: 'Report =cmd|x' })
    await invite(uid, 'rita@example.org', 'Rita')
    const since = Date.now()
    const { emailAttendeeReport } = await import('../../server/services/reports')
    await emailAttendeeReport(uid, ORGANIZER)
    await runSendQueue()
    const reports = (await rawSentMail(since, ORGANIZER)).map((m) => m.raw).filter((raw) => raw.includes('text/csv'))
    expect(reports).toHaveLength(1)
    const parsed = await PostalMime.parse(reports[0]!)
    expect(parsed.subject).toBe('Attendee report: Report =cmd|x')
    const csv = Buffer.from(parsed.attachments[0]!.content as ArrayBuffer).toString('utf8')
    expect(csv).toMatch(/^email,/)
    expect(csv).toContain('rita@example.org,Rita')
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
    const handler = createSendHandler({ backoffSeconds: 0, fanOutPage: 5 })
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

  it.skipIf(!hasCorpus)('sends each change of a real Google series (corpus chain) to every invited attendee exactly once', async () => {
    const people = ['ann@example.org', 'ben@example.org', 'cy@example.org']
    const handler = createSendHandler({ backoffSeconds: 0 })
    const since = Date.now()
    let uid = ''
    const expected: string[] = []
    for (const name of ['repeat-event', 'exception-minor', 'exception-major', 'cancel-repeat-event']) {
      const raw = corpusFile(`eml/google__tb__${name}.eml`)
      const from = (await PostalMime.parse(raw)).from!.address!.toLowerCase()
      const result = await deliver('create', received(raw, from))
      if (!uid) {
        uid = result.uid!
        for (const email of people) await invite(uid, email)
        expected.push('REQUEST')
      } else if (result.outcome === 'updated' || result.outcome === 'cancelled') {
        expected.push((await loadEvent(uid))!.state.status === 'CANCELLED' ? 'CANCEL' : 'REQUEST')
      }
      await runSendQueue(handler)
    }
    expect(expected.length).toBeGreaterThan(2)
    expect(expected.at(-1)).toBe('CANCEL')
    const sent = await rawSentMail(since)
    for (const email of people) {
      const calendars = sent.filter((m) => m.to.includes(email)).map((m) => calendarOf(m.raw))
      expect(calendars.map((c) => c.method), email).toEqual(expected)
      const sequences = calendars.map((c) => (c.master ?? c.overrides[0]!).sequence)
      expect(sequences, email).toEqual([...sequences].sort((a, b) => a - b))
      expect(new Set(sequences).size, email).toBe(sequences.length)
    }
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
    await runSendQueue(createSendHandler({ backoffSeconds: 0 }), { maxBatches: 3 })

    expect((await rawSentMail(since)).filter((m) => m.to[0] !== ORGANIZER)).toHaveLength(0)
    expect(await loadInvitation(uid, 'hank@example.org')).toMatchObject({ status: 'unknown', error: expect.stringContaining('not sent twice') })
    expect((await sendRecords.get({ key: `${uid}#hank@example.org#0` })).Item?.status).toBe('unknown')
    // iris's job is still waiting for its claim to be confirmed or to expire.
    expect(await loadInvitation(uid, 'iris@example.org')).toMatchObject({ status: 'queued' })
  })

  it('shows a permanent bounce on the invitation it came from and sends nothing more to that address', async () => {
    const uid = `send-bounce-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    const since = Date.now()
    await invite(uid, 'gone@example.org')
    await runSendQueue()
    const [sent] = await rawSentMail(since, 'gone@example.org')
    // What SES publishes through SNS when the recipient's server refuses the address.
    const bounce = {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: new Date().toISOString(), bouncedRecipients: [{ emailAddress: 'gone@example.org', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
      mail: { messageId: sent!.messageId, timestamp: new Date().toISOString(), source: mailbox('rsvp'), destination: ['gone@example.org'] },
    }
    const answer = await handleSesEvents({ Records: [sqsRecord('b-1', JSON.stringify({ Type: 'Notification', Message: JSON.stringify(bounce) }), 'arn:aws:sqs:us-east-1:0:cis-ses-events')] })
    expect(answer.batchItemFailures).toEqual([])
    expect(await loadInvitation(uid, 'gone@example.org')).toMatchObject({ status: 'suppressed', error: expect.stringMatching(/bounce/i) })
    // The organizer's update reaches nobody at that address.
    await organizerSends(uid, { sequence: 1, start: '20270120T090000Z' })
    await runSendQueue()
    expect(await rawSentMail(since, 'gone@example.org')).toHaveLength(1)
  })

  it('sends each invitation at most once when the worker process is killed in the middle of a batch', async () => {
    const uid = `send-killed-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    const people = Array.from({ length: 10 }, (_, i) => `killed${i}@example.org`)
    for (const email of people) await invite(uid, email)
    const since = Date.now()
    // A slow account (4 a second) so the batch of 10 is half done when the worker dies.
    const worker = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/send-worker-process.ts', import.meta.url))], {
      env: { ...process.env, CIS_SEND_RATE: '4' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    await new Promise<void>((resolve) => worker.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('sent') && resolve()))
    await new Promise((resolve) => setTimeout(resolve, 600))
    worker.kill('SIGKILL')
    await new Promise((resolve) => worker.once('exit', resolve))
    const sentBeforeDeath = (await rawSentMail(since)).filter((m) => m.to[0] !== ORGANIZER).length
    expect(sentBeforeDeath).toBeGreaterThan(0)
    expect(sentBeforeDeath).toBeLessThan(people.length)

    // The batch comes back after its visibility timeout; a new worker finishes it. A claim the
    // dead worker left is past its lease by then (the lease is shortened to fit the test).
    await new Promise((resolve) => setTimeout(resolve, 5500))
    await runSendQueue(createSendHandler({ backoffSeconds: 0, claimLeaseMs: 4000 }), { idleRounds: 3 })
    const sent = await rawSentMail(since)
    for (const email of people) expect(sent.filter((m) => m.to.includes(email)).length, email).toBeLessThanOrEqual(1)
    const states = await Promise.all(people.map(async (email) => (await loadInvitation(uid, email))!.status))
    // Everyone got it once, except at most the one the worker was sending to as it died:
    // that one is "unknown" (it may have gone out) and is never sent again.
    people.forEach((email, k) => {
      const received = sent.filter((m) => m.to.includes(email)).length
      if (states[k] === 'sent') expect(received, email).toBe(1)
      else expect([states[k], received <= 1], email).toEqual(['unknown', true])
    })
    expect(states.filter((state) => state === 'unknown').length).toBeLessThanOrEqual(1)
  }, 30_000)

  it('retries sends SES refuses for its rate (429 Throttling) until each is sent once; none is lost', async () => {
    const uid = `send-throttled-${randomUUID()}`
    await organizerSends(uid, { sequence: 0 })
    // An SES that allows 1 message a second, while the workers believe the account allows 50:
    // some jobs are refused on every one of the queue's 3 attempts.
    const upstream = await startSesServer({ host: '127.0.0.1', port: 0 })
    const strictSes = await startSesFront({ host: '127.0.0.1', port: 0, upstreamPort: (upstream.address() as AddressInfo).port, maxSendRate: 1 })
    const saved = { endpoint: process.env.CIS_SES_ENDPOINT, rate: process.env.CIS_SEND_RATE }
    process.env.CIS_SES_ENDPOINT = `http://127.0.0.1:${(strictSes.server.address() as AddressInfo).port}`
    process.env.CIS_SEND_RATE = '50'
    resetConfig()
    resetClients()
    try {
      const people = Array.from({ length: 10 }, (_, i) => `throttled${i}@example.org`)
      for (const email of people) await invite(uid, email)
      const { log, entries } = captureLog()
      await runSendQueue(createSendHandler({ backoffSeconds: 0, log }), { idleRounds: 3 })
      expect(strictSes.throttled).toBeGreaterThan(0)
      // Jobs refused on their last attempt were queued afresh, not parked in the dead-letter queue.
      expect(entries()).toContainEqual(
        expect.objectContaining({ message: 'send job attempt failed; queued afresh', attempt: 3, error: expect.objectContaining({ message: expect.stringMatching(/SES is sending at its maximum rate/) }) }),
      )
      expect(strictSes.messages.map((m) => m.to[0]).filter((to) => to !== ORGANIZER).sort()).toEqual(people.sort())
      for (const email of people) expect(await loadInvitation(uid, email), email).toMatchObject({ status: 'sent' })
    } finally {
      Object.assign(process.env, { CIS_SES_ENDPOINT: saved.endpoint, CIS_SEND_RATE: saved.rate })
      resetConfig()
      resetClients()
      await new Promise((resolve) => strictSes.server.close(resolve))
      await new Promise((resolve) => upstream.close(resolve))
    }
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
      await runSendQueue(createSendHandler({ backoffSeconds: 0 }), { idleRounds: 3 })
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
