/**
 * `npm run bench:cold`: each Lambda function as deployed (its zip from `npm run build:aws`,
 * which this runs first, unzipped to a temporary folder) started cold
 * in a fresh Node process: import the handler, then answer one request (web: API Gateway
 * HTTP API `GET /`, the landing page rendered against the local stack in its own process) or
 * one batch (queue functions: an empty SQS batch). Beside each, a bare `node -e 0` started
 * in the same run: what Node itself costs before any code of ours.
 * Aims: the web function answers its first SSR request within 300 ms of process start; each
 * queue handler is under 2 MB zipped and imports within 150 ms.
 *
 * Options: BENCH_COLD_RUNS (default 7 starts each; the median is printed, with the range);
 * BENCH_COLD_REUSE=1 measures dist/aws as it is, without building.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomUUID } from 'node:crypto'
import { distDir, formatBytes, lambdaFunctions, repoRoot, zipPath, type LambdaFunction } from '../../server/deploy/functions'
import { startStackProcess } from './stack-client'
import { reportFigure, type Aim } from './figures'

const runs = Number(process.env.BENCH_COLD_RUNS ?? 7)
const AIM = { webFirstAnswerMs: { atMost: 300 }, queueZipMB: { below: 2 }, queueImportMs: { atMost: 150 } } satisfies Record<string, Aim>
const coldStartScript = fileURLToPath(new URL('./cold-start.mjs', import.meta.url))

interface Start { wallMs: number; scriptAt: number; importedAt: number; answeredAt: number; status: string | number }

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const figure = (values: number[]) => `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`
const verdict = (ok: boolean | null) => (ok ? 'ok' : 'MISSED')

/** The first request or batch each kind of function gets. */
function firstEvent(fn: LambdaFunction) {
  if (fn.kind === 'queue') return { Records: [] }
  return {
    version: '2.0', routeKey: '$default', rawPath: '/', rawQueryString: '',
    headers: { host: 'cis.example.test', 'x-forwarded-proto': 'https', accept: 'text/html' },
    requestContext: {
      accountId: '000000000000', apiId: 'bench', domainName: 'cis.example.test', domainPrefix: 'cis', requestId: randomUUID(), routeKey: '$default', stage: '$default',
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bench-cold' },
      time: new Date().toUTCString(), timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  }
}

/** Starts `node args` and resolves when it exits, with its wall time from spawn and its stdout. */
function timedNode(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ wallMs: number; stdout: string }>((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve({ wallMs: performance.now() - started, stdout }) : reject(new Error(`node ${args.join(' ')} exited with ${code}`))))
  })
}

// Built first, every run: zips left from an older checkout would measure old code. BENCH_COLD_REUSE=1
// measures the zips already in dist/aws (when they are known to be current).
if (process.env.BENCH_COLD_REUSE !== '1' || !lambdaFunctions.every((fn) => existsSync(zipPath(fn)))) {
  console.log(`building what is measured: npm run build:aws…`)
  const built = spawnSync('npm', ['run', 'build:aws'], { cwd: repoRoot, stdio: 'inherit' })
  if (built.status !== 0) throw new Error('npm run build:aws failed.')
}

const unzipped = await mkdtemp(path.join(os.tmpdir(), 'cis-cold-'))
const stack = await startStackProcess()
try {
  // As Lambda runs it: the stack's endpoints, no NODE_ENV, nothing of this process's loader.
  const { NODE_ENV: _, NODE_OPTIONS: __, ...inherited } = process.env
  const env = { ...inherited, ...stack.env }
  const bare: number[] = []
  const starts = new Map<LambdaFunction['name'], Start[]>()
  for (const fn of lambdaFunctions) {
    execFileSync('unzip', ['-q', zipPath(fn), '-d', path.join(unzipped, fn.name)])
    starts.set(fn.name, [])
  }
  // Interleaved, so a noisy moment of the machine falls on every figure alike.
  for (let run = 0; run < runs; run++) {
    bare.push((await timedNode(['-e', '0'], env)).wallMs)
    for (const fn of lambdaFunctions) {
      const { wallMs, stdout } = await timedNode([coldStartScript, path.join(unzipped, fn.name, 'index.mjs'), JSON.stringify(firstEvent(fn))], env)
      starts.get(fn.name)!.push({ wallMs, ...(JSON.parse(stdout.trim().split('\n').pop()!) as Omit<Start, 'wallMs'>) })
    }
  }

  console.log(`\ncold starts, ${runs} each (median, range), on ${os.cpus().length} cores, Node.js ${process.version}`)
  console.log(`  baseline: node -e 0, spawn to exit: ${figure(bare)}`)
  for (const fn of lambdaFunctions) {
    const list = starts.get(fn.name)!
    const zipBytes = (await stat(zipPath(fn))).size
    const imports = list.map((start) => start.importedAt - start.scriptAt)
    const answered = list.map((start) => start.answeredAt)
    const first = fn.kind === 'web' ? 'first SSR answer (GET /)' : 'first batch (empty)'
    console.log(`\n  ${fn.name}.zip ${formatBytes(zipBytes)}; answered ${[...new Set(list.map((start) => start.status))].join(', ')}`)
    console.log(`    handler import: ${figure(imports)}`)
    console.log(`    ${first}, from process start: ${figure(answered)}; from spawn: ${figure(list.map((start) => start.wallMs))}`)
    if (fn.kind === 'web') {
      const met = reportFigure({ figure: `${fn.name}: first SSR answer from process start, median of ${runs} (baseline: node -e 0)`, value: median(answered), unit: 'ms', baseline: median(bare), aim: AIM.webFirstAnswerMs })
      console.log(`    aim: first SSR answer within ${AIM.webFirstAnswerMs.atMost} ms of process start ${verdict(met)}`)
    } else {
      const zipMet = reportFigure({ figure: `${fn.name}.zip size`, value: zipBytes / 1e6, unit: 'MB', aim: AIM.queueZipMB })
      const importMet = reportFigure({ figure: `${fn.name}: handler import, median of ${runs}`, value: median(imports), unit: 'ms', aim: AIM.queueImportMs })
      console.log(`    aim: under ${formatBytes(AIM.queueZipMB.below * 1e6)} zipped ${verdict(zipMet)}, imports within ${AIM.queueImportMs.atMost} ms ${verdict(importMet)}`)
    }
  }
} finally {
  await stack.stop()
  await rm(unzipped, { recursive: true, force: true })
}
