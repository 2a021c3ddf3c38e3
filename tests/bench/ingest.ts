/**
 * `npm run bench:ingest`: how fast mail becomes events. Prints figures; asserts nothing.
 *
 * 1. Parse + iTIP decision over every corpus message on one core (this process), against
 *    the baseline measured in the same run: postal-mime + node-ical doing only a plain parse.
 * 2. End to end on the local stack: SMTP → S3 → SQS → handler → DynamoDB at a steady rate
 *    (default 20 messages per second for 10 s), latency per message from the start of the
 *    SMTP transaction until the event can be read from the table; against the same path with
 *    a handler that does nothing (the stand-ins' own transport cost), in the same run.
 *
 * Options: BENCH_SECONDS (parse, per side; default 3), BENCH_RATE (20), BENCH_DURATION (10).
 */
import { startStackProcess } from './stack-client'
import net from 'node:net'
import { randomUUID } from 'node:crypto'
import nodemailer, { type TransportConfig } from 'nodemailer'
import { loadCorpusMail, messagesPerSecond, parseAndDecide, plainParse } from './parse-decide'
import { corpusDir, hasCorpus } from '../corpus'
import { reportFigure, type Aim } from './figures'

const seconds = Number(process.env.BENCH_SECONDS ?? 3)
const rate = Number(process.env.BENCH_RATE ?? 20)
const duration = Number(process.env.BENCH_DURATION ?? 10)

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
const fmt = (n: number) => n.toFixed(n < 10 ? 1 : 0)

const AIM = {
  parseTimesBaseline: { timesBaselineAtLeast: 1 },
  /** The latency the pipeline adds to the stand-ins' own transport, at p99. */
  addedP99Ms: { overBaselineBelow: 100 },
} satisfies Record<string, Aim>

async function parseBenchmark() {
  if (!hasCorpus) {
    console.log(`parse + iTIP: skipped, no corpus at ${corpusDir}`)
    return
  }
  const messages = loadCorpusMail(corpusDir)
  const baseline = await messagesPerSecond(messages, plainParse, seconds)
  const ours = await messagesPerSecond(messages, parseAndDecide, seconds)
  console.log(`\n1. parse + iTIP decision, ${messages.length} corpus messages, one core (${seconds} s each)`)
  console.log(`   baseline (postal-mime + node-ical plain parse): ${fmt(baseline).padStart(6)} messages/s`)
  reportFigure({ figure: 'parse + iTIP decision over the corpus, one core', value: ours, unit: 'messages/s', baseline, aim: AIM.parseTimesBaseline })
  console.log(`   pipeline (read mail, read calendar, decide):    ${fmt(ours).padStart(6)} messages/s  (${(ours / baseline).toFixed(2)}x baseline; aim: at least ${AIM.parseTimesBaseline.timesBaselineAtLeast.toFixed(2)}x)`)
}

/** A Google-shaped invitation with a fresh UID. */
function invitation(uid: string, organizer: string, to: string): string {
  const calendar = [
    'BEGIN:VCALENDAR', 'PRODID:-//Google Inc//Google Calendar 70.9054//EN', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:REQUEST',
    'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin', 'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT', 'END:VTIMEZONE',
    'BEGIN:VEVENT', 'DTSTART;TZID=Europe/Berlin:20270315T100000', 'DTEND;TZID=Europe/Berlin:20270315T110000', `DTSTAMP:20261123T100000Z`,
    `ORGANIZER;CN=Bench Organizer:mailto:${organizer}`, `UID:${uid}`,
    `ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=${to}:mailto:${to}`,
    'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:guest@example.org',
    'SEQUENCE:0', 'STATUS:CONFIRMED', 'SUMMARY:Benchmark meeting', 'LOCATION:Room 1', 'TRANSP:OPAQUE',
    'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-P0DT0H10M0S', 'END:VALARM', 'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n')
  const b64 = Buffer.from(calendar).toString('base64').replace(/(.{76})/g, '$1\r\n')
  return [
    `From: Bench Organizer <${organizer}>`, `To: ${to}`, `Subject: Invitation: Benchmark meeting`, `Message-ID: <${uid}>`, 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed"', '',
    '--mixed', 'Content-Type: multipart/alternative; boundary="alt"', '',
    '--alt', 'Content-Type: text/plain; charset="UTF-8"', '', 'You have been invited to Benchmark meeting.', '',
    '--alt', 'Content-Type: text/html; charset="UTF-8"', '', '<p>You have been invited to <b>Benchmark meeting</b>.</p>', '',
    '--alt', 'Content-Type: text/calendar; charset="UTF-8"; method=REQUEST', 'Content-Transfer-Encoding: base64', '', b64, '',
    '--alt--', '', '--mixed', 'Content-Type: application/ics; name="invite.ics"', 'Content-Disposition: attachment; filename="invite.ics"', 'Content-Transfer-Encoding: base64', '', b64, '', '--mixed--', '',
  ].join('\r\n')
}

async function endToEndBenchmark() {
  const { startQueuePoller } = await import('../../server/local/poller')
  const { resetConfig, config } = await import('../../server/config')
  const { resetClients } = await import('../../server/aws/clients')
  const { resetQueueUrls } = await import('../../server/aws/queue')
  const { handleInboundMail } = await import('../../server/queues/inbound-mail')
  const { createLogger } = await import('../../server/log')
  // Every line made as deployed (JSON), then discarded, so the report stays readable.
  const discarded = createLogger({ output: () => {} })
  const inboundHandler: typeof handleInboundMail = (event) => handleInboundMail(event, { log: discarded })
  const { EntityRepository } = await import('dynamodb-toolbox')
  const { MailLogEntity } = await import('../../server/aws/table')
  const mailLog = MailLogEntity.build(EntityRepository)
  const { getRawMail } = await import('../../server/aws/mail-store')
  const { objectKeysOf } = await import('../../server/queues/lambda-events')
  const { sesReceiptOf } = await import('../../server/domain/mail/receipt')
  // The stored message a queue record names, read as the handler reads it: SES's receipt
  // notification (what the SMTP receiver sends), else a bare S3 event.
  const storedKeysOf = (body: string) => {
    const receipt = sesReceiptOf(body)
    return receipt ? [receipt.objectKey] : objectKeysOf(body).map((o) => o.key)
  }

  const stack = await startStackProcess()
  Object.assign(process.env, stack.env)
  resetConfig()
  resetClients()
  resetQueueUrls()
  // The sending MTA's socket without Nagle's algorithm: nodemailer writes the end of DATA as
  // a small second segment, which otherwise waits ~40 ms for the receiver's delayed ACK, a
  // cost of this test client, not of any real sender or of the server.
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: stack.endpoints.smtp,
    secure: false,
    pool: true,
    maxConnections: 4,
    ignoreTLS: true,
    getSocket: (_options: unknown, callback: (error: Error | null, socket?: { connection: net.Socket }) => void) => {
      const socket = net.connect(stack.endpoints.smtp, '127.0.0.1')
      socket.setNoDelay(true)
      socket.once('connect', () => callback(null, { connection: socket }))
      socket.once('error', (error) => callback(error))
    },
  } as TransportConfig)
  const organizer = 'organizer@bench.example'
  const to = config().mailboxes.create

  /**
   * Sends `rate` messages per second for `duration` seconds and times each from the start of
   * its SMTP transaction until the handler has finished the batch that carried it. The
   * handler wrapper learns which UIDs a batch carried from `uidsOf` (no polling load).
   */
  async function run(label: string, handler: typeof handleInboundMail, uidsOf: (keys: string[]) => Promise<string[]>, seconds = duration) {
    const finished = new Map<string, number>()
    const waiting = new Map<string, () => void>()
    const batchTimes: number[] = []
    // Five batches in flight, as Lambda's SQS event source starts with.
    const poller = startQueuePoller({
      queue: 'inbound',
      concurrency: 5,
      waitSeconds: 1,
      handler: async (event) => {
        const began = performance.now()
        const answer = await handler(event)
        const at = performance.now()
        batchTimes.push(at - began)
        for (const uid of await uidsOf(event.Records.flatMap((record) => storedKeysOf(record.body)))) {
          finished.set(uid, at)
          waiting.get(uid)?.()
        }
        return answer
      },
    })
    const latencies: number[] = []
    const total = Math.round(rate * seconds)
    const started = performance.now()
    const pending: Promise<void>[] = []
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      const uid = `bench-${randomUUID()}@bench.example`
      pending.push(
        (async () => {
          const done = new Promise<void>((resolve, reject) => {
            waiting.set(uid, resolve)
            setTimeout(() => reject(new Error(`${label}: ${uid} not processed within 15 s`)), 15_000).unref()
          })
          // From the start of the SMTP transaction: the receiver stores and enqueues before it answers.
          const sent = performance.now()
          await transport.sendMail({ envelope: { from: organizer, to: [to] }, raw: invitation(uid, organizer, to) })
          await done
          latencies.push(finished.get(uid)! - sent)
        })(),
      )
    }
    await Promise.all(pending)
    const elapsed = (performance.now() - started) / 1000
    await poller.stop()
    latencies.sort((a, b) => a - b)
    batchTimes.sort((a, b) => a - b)
    return {
      label,
      count: latencies.length,
      elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1)!,
      batches: batchTimes.length,
      batchP50: percentile(batchTimes, 50),
      batchP99: percentile(batchTimes, 99),
    }
  }

  const uidInRaw = async (key: string) => /^Message-ID: <([^>]+)>/m.exec(Buffer.from((await getRawMail(key))!).toString('latin1'))?.[1]

  try {
    // Baseline: a handler that only reads each stored message (what any handler must do),
    // so its figure is the stand-ins' SMTP → S3 → SQS → poll cost alone.
    const transportOnly = await run(
      'transport only',
      async () => ({ batchItemFailures: [] }),
      async (keys) => (await Promise.all(keys.map(uidInRaw))).filter((uid): uid is string => Boolean(uid)),
    )
    const uidsFromLog = async (keys: string[]) => {
      const uids = await Promise.all(keys.map(async (key) => (await mailLog.get({ key })).Item?.eventUid))
      return uids.filter((uid): uid is string => Boolean(uid))
    }
    // Warm containers, as a Lambda serving steady mail would be: JIT, connections, DynamoDB Local.
    await run('warm-up', inboundHandler, uidsFromLog, 3)
    const pipeline = await run('full pipeline', inboundHandler, uidsFromLog)
    console.log(`\n2. end to end on the local stack (its own process; DynamoDB Local in memory): ${rate} messages/s for ${duration} s`)
    console.log('   SMTP → S3 → SQS → poller → handler → DynamoDB, from the start of the SMTP transaction')
    for (const r of [transportOnly, pipeline]) {
      console.log(
        `   ${r.label.padEnd(15)} ${r.count} messages in ${r.elapsed.toFixed(1)} s   latency p50 ${fmt(r.p50).padStart(5)} ms  p99 ${fmt(r.p99).padStart(5)} ms  max ${fmt(r.max).padStart(5)} ms` +
          `   (${r.batches} batches, handler p50 ${fmt(r.batchP50)} ms, p99 ${fmt(r.batchP99)} ms per batch)`,
      )
    }
    reportFigure({ figure: `SMTP to DynamoDB latency p99 at ${rate} messages/s (baseline: transport only)`, value: pipeline.p99, unit: 'ms', baseline: transportOnly.p99, aim: AIM.addedP99Ms })
    console.log(`   the pipeline adds ${fmt(pipeline.p50 - transportOnly.p50)} ms at p50 and ${fmt(pipeline.p99 - transportOnly.p99)} ms at p99 (aim: p99 under ${AIM.addedP99Ms.overBaselineBelow} ms)`)
  } finally {
    transport.close()
    await stack.stop()
  }
}

await parseBenchmark()
await endToEndBenchmark()
