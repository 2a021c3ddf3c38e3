/**
 * `npm run bench:pages`: the public pages on the built server (`nuxi build`, node-server)
 * against the local stack in its own process, with 1,000 listed events (one in twenty a weekly
 * series): the landing page `/` (server-rendered, the site's list) and an event's public
 * page, 50 concurrent connections (autocannon), against `/api/openapi.json` in the same run
 * (the server alone, no table behind it). Table reads are counted by a proxy between the
 * server and DynamoDB Local (every request it passes on, by operation).
 * Aim: ≥ 300 requests per second per core and p99 under 100 ms with the cache warm, and at
 * most 5 table reads per second per page under that load.
 *
 * The event page (`/events/{publicId}`, server-rendered) and its data, the public event API,
 * are measured both.
 *
 * Options: BENCH_PAGES_SECONDS (default 10), BENCH_PAGES_CONNECTIONS (50), BENCH_PAGES_EVENTS (1000),
 * BENCH_PAGES_CPU_PROF (a folder for the server's CPU profile).
 */
import { spawn, execFileSync } from 'node:child_process'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import autocannon from 'autocannon'
import { startStackProcess } from './stack-client'
import { cpuSecondsOf, inBatches } from './process-figures'
import { reportFigure, type Aim } from './figures'

const seconds = Number(process.env.BENCH_PAGES_SECONDS ?? 10)
const connections = Number(process.env.BENCH_PAGES_CONNECTIONS ?? 50)
const count = Number(process.env.BENCH_PAGES_EVENTS ?? 1000)
const root = fileURLToPath(new URL('../..', import.meta.url))

/** The event page's path for a public id. */
const EVENT_PAGE_PATH = (publicId: string) => `/events/${publicId}`
const EVENT_API_PATH = (publicId: string) => `/api/public/events/${publicId}`

const AIM = { requestsPerSecondPerCore: { atLeast: 300 }, p99Ms: { below: 100 }, tableReadsPerSecond: { atMost: 5 } } satisfies Record<string, Aim>

/** What one measured run gives the aims. */
interface PageFigures {
  perCore: number
  p99: number
  readsPerSecond: number
}

/** A proxy in front of DynamoDB Local that counts the requests it passes on, by operation (X-Amz-Target). */
async function countingProxy(target: string) {
  const upstream = new URL(target)
  const counts = new Map<string, number>()
  const server = createServer((incoming, outgoing) => {
    const operation = String(incoming.headers['x-amz-target'] ?? 'unknown').replace(/^DynamoDB_\d+\./, '')
    counts.set(operation, (counts.get(operation) ?? 0) + 1)
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    forwarded.on('error', () => outgoing.destroy())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Every request passed on so far, and by operation. */
    snapshot: () => ({ total: [...counts.values()].reduce((a, b) => a + b, 0), byOperation: new Map(counts) }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function main() {
  console.log('building the app (nuxi build, node-server)…')
  execFileSync(path.join(root, 'node_modules/.bin/nuxi'), ['build'], { cwd: root, stdio: 'ignore', env: { ...process.env, NITRO_PRESET: 'node-server' } })

  const stack = await startStackProcess()
  let server: ReturnType<typeof spawn> | undefined
  const proxy = await countingProxy(stack.env.CIS_DYNAMODB_ENDPOINT!)
  try {
    Object.assign(process.env, stack.env)
    const { resetConfig } = await import('../../server/config')
    resetConfig()
    const { EntityRepository } = await import('dynamodb-toolbox')
    const { EventEntity, OrganizerEntity, PublicIdEntity } = await import('../../server/aws/table')
    const { newPublicId } = await import('../../server/services/event-store')
    const events = EventEntity.build(EntityRepository)
    const pointers = PublicIdEntity.build(EntityRepository)

    // Ten organizers in five domains; events spread over the next 100 days, as real ones are:
    // a description, a location; every twentieth a weekly series that began last year.
    const organizers = Array.from({ length: 10 }, (_, i) => ({ email: `organizer${i}@domain${i % 5}.example`, domain: `domain${i % 5}.example`, name: `Organizer ${i}` }))
    for (const organizer of organizers) await OrganizerEntity.build(EntityRepository).put(organizer)
    const description = `Talks, then drinks.\n\n${'Join with Google Meet: https://meet.google.com/abc-defg-hij\nOr dial: (US) +1 555-0100 PIN: 123 456 789#\n'.repeat(4)}`
    const publicIds: string[] = []
    const started = performance.now()
    const day = 86_400_000
    await inBatches(count, 32, async (i) => {
      const organizer = organizers[i % organizers.length]!
      const publicId = newPublicId()
      publicIds[i] = publicId
      const series = i % 20 === 0
      const start = series ? new Date(Date.now() - 300 * day + i * 3_600_000) : new Date(Date.now() + ((i + 1) * 100 * day) / count)
      const iso = (at: Date) => at.toISOString().replace(/\.\d+Z$/, 'Z')
      const uid = `bench-page-${i}@pages.example`
      await events.put({
        uid, organizerEmail: organizer.email, organizerDomain: organizer.domain, organizerName: organizer.name, summary: `Public event ${i}`, description,
        location: `Hall ${i % 12}, Main Street ${i % 90}`, start: iso(start), end: iso(new Date(start.getTime() + 3_600_000)), timezone: 'Europe/Berlin',
        dtstamp: '2026-11-01T00:00:00Z', listed: true, publicId, ...(series ? { rrule: 'FREQ=WEEKLY' } : {}),
      })
      await pointers.put({ publicId, eventUid: uid })
    })
    console.log(`seeded ${count} listed events (${Math.ceil(count / 20)} weekly series) in ${((performance.now() - started) / 1000).toFixed(1)} s`)

    const port = 3900 + Math.floor(Math.random() * 90)
    // BENCH_PAGES_CPU_PROF=DIR writes the server's CPU profile there (open it in Chrome's DevTools).
    const profile = process.env.BENCH_PAGES_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PAGES_CPU_PROF)}`] : []
    server = spawn(process.execPath, [...profile, path.join(root, '.output/server/index.mjs')], {
      env: { ...process.env, CIS_DYNAMODB_ENDPOINT: proxy.endpoint, PORT: String(port), HOST: '127.0.0.1', NITRO_PORT: String(port), NITRO_HOST: '127.0.0.1' },
      stdio: 'ignore',
    })
    const base = `http://127.0.0.1:${port}`
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED')
    let baseline: PageFigures | null = null
    const run = async (label: string, url: string, { aims = true } = {}): Promise<PageFigures> => {
      // Warm: a few seconds alone fills the server's memory, then the measured run.
      await autocannon({ url: `${base}${url}`, connections: 1, duration: 2 })
      const cpuBefore = cpuSecondsOf(server!.pid)
      const readsBefore = proxy.snapshot()
      const result = await autocannon({ url: `${base}${url}`, connections, duration: seconds })
      const readsAfter = proxy.snapshot()
      const cpuAfter = cpuSecondsOf(server!.pid)
      const reads = readsAfter.total - readsBefore.total
      const readsPerSecond = reads / seconds
      const byOperation = [...readsAfter.byOperation].map(([operation, n]) => [operation, n - (readsBefore.byOperation.get(operation) ?? 0)] as const).filter(([, n]) => n > 0)
      // The server is one Node process: its CPU seconds over the run are the cores it used, and
      // requests per CPU second are requests per second per core (on a shared machine the
      // server may get less than a core; this does not count that against it).
      const cores = cpuBefore != null && cpuAfter != null ? (cpuAfter - cpuBefore) / seconds : null
      const perCore = cores ? result.requests.average / cores : result.requests.average
      const failed = result.non2xx + result.errors + result.timeouts
      console.log(
        `   ${label.padEnd(46)} ${result.requests.average.toFixed(0).padStart(5)} req/s (${perCore.toFixed(0)} per core, server CPU ${cores?.toFixed(2) ?? '?'} cores)  p50 ${String(result.latency.p50).padStart(3)} ms  p99 ${String(result.latency.p99).padStart(4)} ms | table reads ${readsPerSecond.toFixed(1).padStart(5)}/s${byOperation.length ? ` (${byOperation.map(([o, n]) => `${o} ${n}`).join(', ')})` : ''}${failed ? `  (${failed} failed)` : ''}`,
      )
      if (aims) {
        // A run with failed requests measured errors, not the page.
        const problem = failed ? `${failed} of ${result.requests.sent} requests failed` : null
        const perCoreMet = reportFigure({ figure: `${label}: requests per second per core`, value: perCore, unit: 'req/s', baseline: baseline?.perCore, aim: AIM.requestsPerSecondPerCore, problem })
        const p99Met = reportFigure({ figure: `${label}: p99 at ${connections} connections`, value: result.latency.p99, unit: 'ms', baseline: baseline?.p99, aim: AIM.p99Ms, problem })
        const readsMet = reportFigure({ figure: `${label}: table reads per second`, value: readsPerSecond, unit: 'reads/s', baseline: baseline?.readsPerSecond, aim: AIM.tableReadsPerSecond, problem })
        console.log(
          `      aim: ≥ ${AIM.requestsPerSecondPerCore.atLeast} req/s per core ${verdict(perCoreMet === true)}, p99 < ${AIM.p99Ms.below} ms ${verdict(p99Met === true)}, ≤ ${AIM.tableReadsPerSecond.atMost} table reads/s ${verdict(readsMet === true)}`,
        )
      }
      return { perCore, p99: result.latency.p99, readsPerSecond }
    }

    const eventPublicId = publicIds[Math.floor(count / 2)]!
    console.log(`\nbuilt server + local stack, ${count} listed events, ${connections} connections, ${seconds} s each (cache warm)`)
    // The baseline of every figure below: the server alone, no table behind it.
    baseline = await run('baseline: GET /api/openapi.json', '/api/openapi.json', { aims: false })
    // A page that reads nothing: what server rendering itself costs here.
    await run('baseline page: GET /sign-in (no table)', '/sign-in', { aims: false })
    await run('GET / (the site list, server-rendered)', '/')
    await run('GET /events/{publicId} (the event page, server-rendered)', EVENT_PAGE_PATH(eventPublicId))
    await run('GET /api/public/events/{publicId} (its data)', EVENT_API_PATH(eventPublicId))
    await run('GET /?q=hall+3 (a search, server-rendered)', '/?q=hall+3')
    await run('GET /api/events/upcoming (the list as JSON)', '/api/events/upcoming')
  } finally {
    server?.kill('SIGTERM')
    await proxy.close()
    await stack.stop()
  }
}

await main()
process.exit(0)
