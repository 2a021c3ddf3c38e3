/**
 * `node --import tsx tests/bench/send-rate.run.ts`: the shared send rate on the local stack
 * (in a process of its own, as for the ingest benchmark): workers reserve slots in DynamoDB
 * Local and send a small raw message through `sendRawMail` to the SES stand-in at each slot.
 *
 * The SES stand-in enforces the same maximum rate as the real account would
 * (CIS_LOCAL_SES_MAX_SEND_RATE: a send above `rate` in the last second is refused with 429
 * "Maximum sending rate exceeded."), and the SES client makes one call per send (no SDK
 * retries), so "failed" counts the sends SES itself found over the rate. The baseline, the
 * same loops without a limiter, shows how fast the loops call SES and how much it refuses.
 *
 * Options: BENCH_SEND_RATE (default 20 messages/s), BENCH_SEND_SECONDS (10),
 * BENCH_SEND_WORKERS (4), BENCH_SEND_BATCH (10).
 */
import { startStackProcess } from './stack-client'
import { averageRate, benchSendRate, maxInAnyWindow, SEND_RATE_AIM_SHARE, sendRateAims } from './send-rate'
import { reportFigure } from './figures'

const rate = Number(process.env.BENCH_SEND_RATE ?? 20)
const seconds = Number(process.env.BENCH_SEND_SECONDS ?? 10)
const workers = Number(process.env.BENCH_SEND_WORKERS ?? 4)
const batch = Number(process.env.BENCH_SEND_BATCH ?? 10)

async function runBenchmark() {
  const stack = await startStackProcess({ CIS_LOCAL_SES_MAX_SEND_RATE: String(rate) })
  try {
    Object.assign(process.env, stack.env)
    // Imported once the environment points at the stack (whose process created the table).
    const { resetConfig, config } = await import('../../server/config')
    const { resetClients } = await import('../../server/aws/clients')
    const { sendRawMail } = await import('../../server/aws/mailer')
    resetConfig()
    resetClients()
    const cfg = config()

    const from = cfg.fromAddress
    const send = async (i: number) => {
      const to = `guest${i}@bench.example`
      const raw = [`From: ${from}`, `To: <${to}>`, `Subject: Send-rate benchmark ${i}`, `Message-ID: <send-${i}@bench.example>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', `Message ${i}.`, ''].join('\r\n')
      await sendRawMail({ from, to: [to], raw })
    }

    // Warm up connections and JIT, then let the stand-in's rate window empty.
    for (let i = 0; i < Math.min(rate, 10); i++) await send(-1 - i)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    console.log(`local stack (own process), DynamoDB Local in memory; SES stand-in refusing over ${rate}/s; SDK retries off`)
    await benchSendRate({ rate, seconds, workers, batch, send })
    await benchSendWorker(cfg.endpoints.ses!)
  } finally {
    await stack.stop()
  }
}

/**
 * The real thing: invitations queued through the invite service for `rate × seconds`
 * attendees of one event, drained by the send handler with `workers` batches in flight (as
 * Lambda's concurrent invocations), each send timed where SES received it (the SES front).
 */
async function benchSendWorker(sesEndpoint: string) {
  const { EntityRepository } = await import('dynamodb-toolbox')
  const { EventEntity } = await import('../../server/aws/table')
  const { inviteToEvent } = await import('../../server/services/invitations')
  const { createSendHandler } = await import('../../server/queues/send')
  const { startQueuePoller } = await import('../../server/local/poller')
  const { createLogger } = await import('../../server/log')
  const { clients, resetClients } = await import('../../server/aws/clients')
  const { resetConfig } = await import('../../server/config')
  // The account's limit, as the deployed worker reads it.
  process.env.CIS_SEND_RATE = String(rate)
  resetConfig()
  resetClients() // built again from the configuration just reset
  void clients()
  const uid = `bench-send-${Date.now()}@bench.example`
  await EventEntity.build(EntityRepository).put({
    uid, organizerEmail: 'olga@bench.example', organizerName: 'Olga', organizerDomain: 'bench.example', summary: 'Send benchmark',
    start: '2027-03-01T10:00:00Z', end: '2027-03-01T11:00:00Z', dtstamp: '2026-11-01T00:00:00Z',
  })
  const count = Math.round(rate * seconds)
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        inviteToEvent({ eventUid: uid, email: `worker-guest${i + j}@bench.example`, origin: 'bulk', invitedBy: 'olga@bench.example' }),
      ),
    )
  }
  const stats = async () => (await (await fetch(`${sesEndpoint}/raw/stats`)).json()) as { kept: number; throttled: number }
  const before = await stats()
  const since = Date.now()
  // Every line made as deployed (JSON), then discarded, so the report stays readable.
  const sendHandler = createSendHandler({ log: createLogger({ output: () => {} }) })
  const batchSizes: number[] = []
  const batchMs: number[] = []
  const handler: typeof sendHandler = async (event) => {
    const started = performance.now()
    try {
      return await sendHandler(event)
    } finally {
      batchSizes.push(event.Records.length)
      batchMs.push(performance.now() - started)
    }
  }
  const poller = startQueuePoller({ queue: 'send', handler, concurrency: workers, waitSeconds: 1 })
  const deadline = Date.now() + (seconds * 3 + 30) * 1000
  while ((await stats()).kept - before.kept < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250))
  await poller.stop()
  const { messages } = (await (await fetch(`${sesEndpoint}/raw/messages?since=${since}`)).json()) as { messages: { at: number; to: string[] }[] }
  const times = messages.filter((m) => m.to[0]?.startsWith('worker-guest')).map((m) => m.at)
  const after = await stats()
  const achieved = averageRate(times)
  console.log(`\nsend worker (real handler, ${workers} batches in flight, limit ${rate}/s), ${count} invitations of one event:`)
  const aims = sendRateAims(rate)
  reportFigure({ figure: `send worker: average send rate, limit ${rate}/s, ${workers} batches in flight`, value: achieved, unit: 'messages/s', aim: aims.average })
  reportFigure({ figure: `send worker: most sends in any 1-second window at SES, limit ${rate}/s`, value: maxInAnyWindow(times), unit: 'messages', aim: aims.anySecond })
  console.log(`  sent ${times.length} of ${count}; achieved ${achieved.toFixed(2)}/s = ${((achieved / rate) * 100).toFixed(1)}% of the limit (aim: within ${Math.round((1 - SEND_RATE_AIM_SHARE) * 100)}%)`)
  console.log(`  most in any 1 s window (at SES): ${maxInAnyWindow(times)} (limit ${rate}); refused by SES for the rate: ${after.throttled - before.throttled}`)
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)
  console.log(`  ${batchSizes.length} batches, ${mean(batchSizes).toFixed(1)} records each, ${mean(batchMs).toFixed(0)} ms each on average`)
}

await runBenchmark()
