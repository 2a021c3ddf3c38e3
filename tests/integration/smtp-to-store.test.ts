import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import nodemailer, { type Mail } from 'nodemailer'
import PostalMime from 'postal-mime'
import { startQueuePoller, type QueuePoller } from '../../server/local/poller'
import { handleInboundMail } from '../../server/queues/inbound-mail'
import { loadEvent } from '../../server/services/event-store'
import { listMailLogOfSender } from '../../server/services/mail-log'
import { config } from '../../server/config'
import { corpusFile, hasCorpus } from '../corpus'
import { useFreshTable } from './support'

// Issue 3's "done when": a corpus invite mailed to the local SMTP port becomes an event
// (how fast is the benchmark's business); a chain's updates follow in order.
describe.skipIf(!hasCorpus)('SMTP → S3 → SQS → handler → DynamoDB', () => {
  let poller: QueuePoller
  let transport: Mail

  beforeAll(async () => {
    await useFreshTable()
    poller = startQueuePoller({ queue: 'inbound', handler: handleInboundMail, waitSeconds: 1 })
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(process.env.CIS_LOCAL_SMTP_PORT), secure: false, ignoreTLS: true })
  })
  afterAll(async () => {
    transport.close()
    await poller.stop()
  })

  async function mail(name: string) {
    const raw = corpusFile(name)
    const from = (await PostalMime.parse(raw)).from!.address!
    await transport.sendMail({ envelope: { from, to: [config().mailboxes.create] }, raw })
    return { from: from.toLowerCase() }
  }

  async function until<T>(check: () => Promise<T | undefined | null | false>, ms: number): Promise<T> {
    const deadline = Date.now() + ms
    for (;;) {
      const value = await check()
      if (value) return value
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  it.each([
    ['eml/google__postal-mime__calendar-event.eml', '1utaf3eftt1agbnisfcc3a5ps0@google.com'],
    ['eml/o365__tb__teams-meeting-invite.eml', '056000008200E00074C5B7101A82E008000000001AF84C64CBC8D601000000000000000010000000403B5AC10A0EB444A947D2B499A4B98C'],
    ['eml/yahoo__james__yahooInvitation.eml', '5014513f-1026-4b58-82cf-80d4fc060bbe'],
    ['eml/sabre__james__invitationEmailFromOP.eml', 'd41ce126-5e9c-45a6-a979-4bc5db77914e'],
  ])('%s becomes an event', async (name, uid) => {
    // Generous limit: latency is measured by `npm run bench:ingest`, not asserted here.
    await mail(name)
    const event = await until(() => loadEvent(uid), 10_000)
    expect(event.state.uid).toBe(uid)
  })

  it('applies an update chain in the order it was mailed', async () => {
    for (const name of ['eml/generic__tb__single-event.eml', 'eml/generic__tb__update-minor.eml', 'eml/generic__tb__update-major.eml']) {
      const { from } = await mail(name)
      // One message at a time, as a person editing their calendar would send them.
      await until(async () => (await listMailLogOfSender(from, 10)).length >= ['eml/generic__tb__single-event.eml', 'eml/generic__tb__update-minor.eml', 'eml/generic__tb__update-major.eml'].indexOf(name) + 1, 10_000)
    }
    expect((await loadEvent('02e79b96'))?.state).toMatchObject({ sequence: 2, start: '2022-03-16T05:00:00Z', status: 'CONFIRMED' })
  })

  it('logs a bounce mailed to the server as ignored, and it changes nothing', async () => {
    const { from } = await mail('eml/apple__ccs__dsn_failure_with_ics.eml')
    const [entry] = await until(async () => {
      const log = await listMailLogOfSender(from)
      return log.length ? log : null
    }, 10_000)
    expect(entry).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/bounce/) })
  })
})
