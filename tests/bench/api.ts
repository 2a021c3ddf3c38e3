/**
 * `npm run bench:api`: requests per second and latency of the dashboard's two big lists on
 * the built server (`nuxi build`, node-server) against the local stack in its own process:
 * an organizer's events list (10,000 events) and an event's attendee list (10,000
 * attendees), 50 concurrent connections (autocannon), each against `/api/openapi.json`
 * measured in the same run as the baseline (the server alone, no table behind it).
 * Aim: p99 under 50 ms.
 *
 * Options: BENCH_API_SECONDS (default 10), BENCH_API_CONNECTIONS (50), BENCH_API_ITEMS (10000).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
import { spawn, execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import autocannon from 'autocannon'
import { startStackProcess } from './stack-client'

const seconds = Number(process.env.BENCH_API_SECONDS ?? 10)
const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 50)
const items = Number(process.env.BENCH_API_ITEMS ?? 10_000)
const root = fileURLToPath(new URL('../..', import.meta.url))

async function inBatches(count: number, concurrency: number, write: (i: number) => Promise<unknown>) {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await write(next++)
    }),
  )
}

async function main() {
  console.log('building the app (nuxi build, node-server)…')
  execFileSync(path.join(root, 'node_modules/.bin/nuxi'), ['build'], { cwd: root, stdio: 'ignore', env: { ...process.env, NITRO_PRESET: 'node-server' } })

  const stack = await startStackProcess()
  let server: ReturnType<typeof spawn> | undefined
  try {
    Object.assign(process.env, stack.env)
    const { resetConfig } = await import('../../server/config')
    resetConfig()
    const { EntityRepository } = await import('dynamodb-toolbox')
    const { EventEntity, AttendeeEntity } = await import('../../server/aws/table')
    const { createApiToken } = await import('../../server/services/api-tokens')
    const events = EventEntity.build(EntityRepository)
    const attendees = AttendeeEntity.build(EntityRepository)

    const organizer = 'bench@api.example'
    const big = 'bench-big-event@api.example'
    const started = performance.now()
    const day = 86_400_000
    await inBatches(items, 32, (i) =>
      events.put({
        uid: `bench-${i}@api.example`, organizerEmail: organizer, organizerDomain: 'api.example', summary: `Benchmark event ${i}`,
        start: new Date(Date.now() + (i - items / 2) * day / 10).toISOString().replace(/\.\d+Z$/, 'Z'), dtstamp: '2026-11-01T00:00:00Z',
      }),
    )
    await events.put({ uid: big, organizerEmail: organizer, organizerDomain: 'api.example', summary: 'Big event', start: '2027-06-01T10:00:00Z', dtstamp: '2026-11-01T00:00:00Z', attendeeCount: items })
    await inBatches(items, 32, (i) => attendees.put({ eventUid: big, email: `guest${String(i).padStart(5, '0')}@api.example`, partstat: i % 3 ? 'ACCEPTED' : 'NEEDS-ACTION', source: 'invite' }))
    console.log(`seeded ${items} events and ${items} attendees in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    const { token } = await createApiToken(organizer, 'bench')

    const port = 3900 + Math.floor(Math.random() * 90)
    server = spawn(process.execPath, [path.join(root, '.output/server/index.mjs')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NITRO_PORT: String(port), NITRO_HOST: '127.0.0.1' },
      stdio: 'ignore',
    })
    const base = `http://127.0.0.1:${port}`
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const run = async (label: string, url: string) => {
      const headers = { authorization: `Bearer ${token}` }
      // One connection first: the latency of a request on its own (and a warm-up).
      const alone = await autocannon({ url: `${base}${url}`, connections: 1, duration: 2, headers })
      const result = await autocannon({ url: `${base}${url}`, connections, duration: seconds, headers })
      const failed = result.non2xx + result.errors + result.timeouts
      console.log(
        `   ${label.padEnd(44)} alone p50 ${String(alone.latency.p50).padStart(3)} ms | ${connections} conn: ${result.requests.average.toFixed(0).padStart(5)} req/s  p50 ${String(result.latency.p50).padStart(4)} ms  p99 ${String(result.latency.p99).padStart(4)} ms${failed ? `  (${failed} failed)` : ''}`,
      )
      return result
    }
    // The store's own limit: the same domain reads called in this process, no HTTP, no
    // authentication, the same concurrency. The routes cannot beat these figures.
    const { listOrganizerEvents, listEventAttendees } = await import('../../server/services/event-queries')
    const direct = async (label: string, read: () => Promise<unknown>) => {
      const latencies: number[] = []
      const until = performance.now() + Math.min(seconds, 5) * 1000
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < until) {
            const started = performance.now()
            await read()
            latencies.push(performance.now() - started)
          }
        }),
      )
      latencies.sort((a, b) => a - b)
      const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!)
      console.log(
        `   ${label.padEnd(44)} ${connections} in flight: ${(latencies.length / Math.min(seconds, 5)).toFixed(0).padStart(5)} reads/s p50 ${String(at(0.5)).padStart(4)} ms  p99 ${String(at(0.99)).padStart(4)} ms`,
      )
    }
    console.log(`\nthe same reads without the server (domain functions against DynamoDB Local, in this process)`)
    await direct('events, upcoming (50)', () => listOrganizerEvents(organizer, { view: 'upcoming', limit: 50 }))
    await direct('attendees (100)', () => listEventAttendees(big, { limit: 100 }))

    console.log(`\nbuilt server + local stack, ${connections} connections, ${seconds} s each (aim: p99 under 50 ms)`)
    // The baseline touches no table: the server's own cost at this concurrency.
    await run('baseline: GET /api/openapi.json', '/api/openapi.json')
    await run('GET /api/events?view=upcoming (50 per page)', '/api/events?view=upcoming')
    await run('GET /api/events?view=past (50 per page)', '/api/events?view=past')
    await run(`GET /api/events/{uid}/attendees (100 per page)`, `/api/events/${encodeURIComponent(big)}/attendees`)
  } finally {
    server?.kill('SIGTERM')
    await stack.stop()
  }
}

await main()
process.exit(0)
