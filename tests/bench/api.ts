/**
 * `npm run bench:api`: requests per second and latency of the dashboard's two big lists on
 * the built server (`nuxi build`, node-server) against the local stack in its own process:
 * an organizer's events list (10,000 events) and an event's attendee list (10,000
 * attendees), 50 concurrent connections (autocannon), each against `/api/openapi.json`
 * measured in the same run as the baseline (the server alone, no table behind it).
 * Aim: p99 under 50 ms.
 *
 * Options: BENCH_API_SECONDS (default 10), BENCH_API_CONNECTIONS (50), BENCH_API_ITEMS (10000),
 * BENCH_API_CPU_PROF (a folder for the server's CPU profile).
 */
import { spawn, execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import autocannon from 'autocannon'
import { startStackProcess } from './stack-client'
import { cpuSecondsOf, inBatches } from './process-figures'
import { reportFigure, type Aim } from './figures'

const seconds = Number(process.env.BENCH_API_SECONDS ?? 10)
const connections = Number(process.env.BENCH_API_CONNECTIONS ?? 50)
const items = Number(process.env.BENCH_API_ITEMS ?? 10_000)
const root = fileURLToPath(new URL('../..', import.meta.url))

const AIM = { p99Ms: { below: 50 } } satisfies Record<string, Aim>

/** The DynamoDB Local (Java) process listening on `port`. */
function dynamoDbLocalPid(port: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (command.some((part) => part.includes('DynamoDBLocal')) && command.includes(port)) return Number(entry)
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined
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

    // As real invitations are: a description with a video-call blurb (Google's is ~1 KB),
    // a location; two in three attendees have answered once.
    const description = `Quarterly planning: agenda and notes in the shared folder.\n\n${'Join with Google Meet: https://meet.google.com/abc-defg-hij\nOr dial: (US) +1 555-0100 PIN: 123 456 789#\nMore phone numbers: https://tel.meet/abc-defg-hij?pin=123456789\n'.repeat(6)}`
    const organizer = 'bench@api.example'
    const big = 'bench-big-event@api.example'
    const started = performance.now()
    const day = 86_400_000
    await inBatches(items, 32, (i) =>
      events.put({
        uid: `bench-${i}@api.example`, organizerEmail: organizer, organizerDomain: 'api.example', summary: `Benchmark event ${i}`, description, location: `Room ${i % 40}`,
        start: new Date(Date.now() + (i - items / 2) * day / 10).toISOString().replace(/\.\d+Z$/, 'Z'), dtstamp: '2026-11-01T00:00:00Z',
      }),
    )
    await events.put({ uid: big, organizerEmail: organizer, organizerDomain: 'api.example', summary: 'Big event', start: '2027-06-01T10:00:00Z', dtstamp: '2026-11-01T00:00:00Z', attendeeCount: items })
    await inBatches(items, 32, (i) =>
      attendees.put({
        eventUid: big, email: `guest${String(i).padStart(5, '0')}@api.example`, name: `Guest ${i}`, partstat: i % 3 ? 'ACCEPTED' : 'NEEDS-ACTION', source: 'invite',
        history: i % 3 ? [{ partstat: 'ACCEPTED', at: '2026-11-20T10:00:00Z', prodid: '-//Google Inc//Google Calendar 70.9054//EN' }] : [],
      }),
    )
    console.log(`seeded ${items} events and ${items} attendees in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    const { token } = await createApiToken(organizer, 'bench')

    const port = 3900 + Math.floor(Math.random() * 90)
    // BENCH_API_CPU_PROF=DIR writes the server's CPU profile there (open it in Chrome's DevTools).
    const profile = process.env.BENCH_API_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_API_CPU_PROF)}`] : []
    server = spawn(process.execPath, [...profile, path.join(root, '.output/server/index.mjs')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NITRO_PORT: String(port), NITRO_HOST: '127.0.0.1' },
      stdio: 'ignore',
    })
    const base = `http://127.0.0.1:${port}`
    const dynamoDbPid = dynamoDbLocalPid(new URL(stack.env.CIS_DYNAMODB_ENDPOINT!).port)
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const run = async (label: string, url: string) => {
      const headers = { authorization: `Bearer ${token}` }
      // One connection first: the latency of a request on its own (and a warm-up).
      const alone = await autocannon({ url: `${base}${url}`, connections: 1, duration: 2, headers })
      const cpuBefore = [cpuSecondsOf(server!.pid), cpuSecondsOf(dynamoDbPid)]
      const result = await autocannon({ url: `${base}${url}`, connections, duration: seconds, headers })
      const cpuAfter = [cpuSecondsOf(server!.pid), cpuSecondsOf(dynamoDbPid)]
      // Where the time goes: CPU milliseconds per request in the server and in DynamoDB Local.
      const perRequest = (i: number) =>
        cpuBefore[i] != null && cpuAfter[i] != null && result.requests.total
          ? (((cpuAfter[i]! - cpuBefore[i]!) * 1000) / result.requests.total).toFixed(1).padStart(5)
          : '    ?'
      const failed = result.non2xx + result.errors + result.timeouts
      console.log(
        `   ${label.padEnd(44)} alone p50 ${String(alone.latency.p50).padStart(3)} ms | ${connections} conn: ${result.requests.average.toFixed(0).padStart(5)} req/s  p50 ${String(result.latency.p50).padStart(4)} ms  p99 ${String(result.latency.p99).padStart(4)} ms | CPU/request: server ${perRequest(0)} ms, DynamoDB Local ${perRequest(1)} ms${failed ? `  (${failed} failed)` : ''}`,
      )
      return result
    }
    // The store's own limit: the same domain reads called in this process, no HTTP, no
    // authentication, the same concurrency. The routes cannot beat these figures.
    const { listOrganizerEvents, listEventAttendees } = await import('../../server/services/event-queries')
    const direct = async (label: string, read: () => Promise<unknown>) => {
      const latencies: number[] = []
      const cpuBefore = [process.cpuUsage(), cpuSecondsOf(dynamoDbPid)] as const
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
      const ownCpu = process.cpuUsage(cpuBefore[0])
      const storeCpu = cpuSecondsOf(dynamoDbPid)
      latencies.sort((a, b) => a - b)
      const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!)
      const store = storeCpu != null && cpuBefore[1] != null ? (((storeCpu - cpuBefore[1]) * 1000) / latencies.length).toFixed(1).padStart(5) : '    ?'
      console.log(
        `   ${label.padEnd(44)} ${connections} in flight: ${(latencies.length / Math.min(seconds, 5)).toFixed(0).padStart(5)} reads/s p50 ${String(at(0.5)).padStart(4)} ms  p99 ${String(at(0.99)).padStart(4)} ms | CPU/read: here ${((ownCpu.user + ownCpu.system) / 1000 / latencies.length).toFixed(1).padStart(5)} ms, DynamoDB Local ${store} ms`,
      )
    }
    console.log(`\nthe same reads without the server (domain functions against DynamoDB Local, in this process)`)
    await direct('events, upcoming (50)', () => listOrganizerEvents(organizer, { view: 'upcoming', limit: 50 }))
    await direct('attendees (100)', () => listEventAttendees(big, { limit: 100 }))

    console.log(`\nbuilt server + local stack, ${connections} connections, ${seconds} s each (aim: p99 under ${AIM.p99Ms.below} ms)`)
    // The baseline touches no table: the server's own cost at this concurrency.
    const baseline = await run('baseline: GET /api/openapi.json', '/api/openapi.json')
    const measured = async (label: string, url: string) => {
      const result = await run(label, url)
      const failed = result.non2xx + result.errors + result.timeouts
      const problem = failed ? `${failed} of ${result.requests.sent} requests failed` : null
      reportFigure({ figure: `${label}: p99 at ${connections} connections`, value: result.latency.p99, unit: 'ms', baseline: baseline.latency.p99, aim: AIM.p99Ms, problem })
    }
    await measured('GET /api/events?view=upcoming (50 per page)', '/api/events?view=upcoming')
    await measured('GET /api/events?view=past (50 per page)', '/api/events?view=past')
    await measured(`GET /api/events/{uid}/attendees (100 per page)`, `/api/events/${encodeURIComponent(big)}/attendees`)
    // The event page's details: breakdowns over all 10,000 attendees, computed once per version (a snapshot).
    await measured(`GET /api/events/{uid} (details, breakdowns)`, `/api/events/${encodeURIComponent(big)}`)
  } finally {
    server?.kill('SIGTERM')
    await stack.stop()
  }
}

await main()
process.exit(0)
