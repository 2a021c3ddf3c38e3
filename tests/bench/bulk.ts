/**
 * `npm run bench:bulk`: invitation lists at scale, each figure beside its aim and a baseline
 * measured in the same run.
 *
 * 1. The reader: generated lists of 10,000, 100,000 and 1,000,000 rows (list-files.ts), each
 *    measured in a child process of its own (so each peak RSS is its own) running plain
 *    `node` on an esbuild bundle of bulk-read.ts, as the deployed worker runs a bundle:
 *    papaparse's bare parse of the file (baseline), the reader entry by entry (readList,
 *    checkListEntries(entries, null), summarizeList) and a batch at a time as the list
 *    worker reads (readListBatches, checkListBatches, summarizeList). Aims: 100,000 rows in
 *    under 2 s of CPU on one core; peak RSS under 200 MB at 1,000,000 rows, flat as the file
 *    grows.
 * 2. A 100,000-row VIP list on the local stack from upload to all invitations queued
 *    (bulk-send.ts), against plain BatchWriteItem and SQS enqueues of as many items.
 *
 * `npm run bench:bulk -- read` or `-- send` runs one half. BENCH_BULK_SIZES (comma-separated
 * row counts) and BENCH_BULK_RUNS (3) change the first; BENCH_BULK_SEND_ROWS the second.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { writeListFile, type ListFileCounts } from './list-files'
import { reportFigure, type Aim } from './figures'

const KINDS = {
  papaparse: 'papaparse bare parse (baseline)',
  entries: 'reader, entry by entry',
  batches: 'reader, in batches (the worker)',
} as const
type Kind = keyof typeof KINDS

interface Measured {
  rows: number
  valid?: number
  invalid?: number
  duplicates?: number
  seconds: number
  cpuSeconds: number
  peakRssMB: number
  baselineRssMB: number
}

const SIZES = (process.env.BENCH_BULK_SIZES ?? '10000,100000,1000000').split(',').map(Number)
const RUNS = Number(process.env.BENCH_BULK_RUNS ?? 3)
const CPU_AIM_ROWS = 100_000
const CPU_AIM = { below: 2 } satisfies Aim
const RSS_AIM_ROWS = 1_000_000
const RSS_AIM = { below: 200 } satisfies Aim

const range = (values: number[], digits: number) => {
  const [low, high] = [Math.min(...values), Math.max(...values)].map((value) => value.toFixed(digits))
  return low === high ? low : `${low}–${high}`
}

async function benchReader() {
  const folder = mkdtempSync(join(tmpdir(), 'cis-bulk-'))
  try {
    const bundle = join(folder, 'bulk-read.mjs')
    await build({
      entryPoints: [fileURLToPath(new URL('./bulk-read.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile: bundle,
      logLevel: 'warning',
      // The CommonJS modules inside (the AWS SDK, papaparse) require Node.js built-ins.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    })
    console.log(`List reader: one child process per measurement, plain node ${process.version} on an esbuild bundle; ${RUNS} run${RUNS === 1 ? '' : 's'} each (min–max)`)
    const figures = new Map<string, Measured[]>()
    for (const rows of SIZES) {
      const path = join(folder, `list-${rows}.csv`)
      const expected: ListFileCounts = await writeListFile(path, rows)
      console.log(`  ${rows.toLocaleString('en')} rows (${(statSync(path).size / 1024 / 1024).toFixed(1)} MB):`)
      for (const kind of Object.keys(KINDS) as Kind[]) {
        const runs: Measured[] = []
        for (let run = 0; run < RUNS; run++) runs.push(JSON.parse(execFileSync(process.execPath, [bundle, kind, path], { encoding: 'utf8' })) as Measured)
        figures.set(`${kind} ${rows}`, runs)
        const wrong = runs.find((measured) =>
          kind === 'papaparse'
            ? measured.rows !== expected.rows
            : measured.rows !== expected.rows || measured.valid !== expected.valid || measured.invalid !== expected.invalid || measured.duplicates !== expected.duplicates,
        )
        console.log(
          `    ${KINDS[kind].padEnd(34)} ${range(runs.map((m) => m.seconds), 2)} s, ${range(runs.map((m) => m.cpuSeconds), 2)} s CPU, ` +
            `${range(runs.map((m) => rows / m.cpuSeconds / 1000), 0)}k rows/CPU-s, peak RSS ${range(runs.map((m) => m.peakRssMB), 0)} MB ` +
            `(${range(runs.map((m) => m.baselineRssMB), 0)} MB before reading)${wrong ? `  ← counts differ: expected ${JSON.stringify(expected)}, read ${JSON.stringify(wrong)}` : ''}`,
        )
      }
    }
    const worst = (kind: Kind, rows: number, figure: 'cpuSeconds' | 'peakRssMB') => {
      const runs = figures.get(`${kind} ${rows}`)
      return runs ? Math.max(...runs.map((m) => m[figure])) : null
    }
    /** The slowest run of the worker's path against its aim, beside papaparse's slowest on the same file. */
    const verdict = (rows: number, measure: 'cpuSeconds' | 'peakRssMB', aim: Aim & { below: number }, figure: string, unit: string, digits: number) => {
      const value = worst('batches', rows, measure)
      if (value === null) return 'not measured (size not run)'
      const met = reportFigure({ figure: `${figure}, slowest of ${RUNS} (baseline: papaparse bare parse)`, value, unit, baseline: worst('papaparse', rows, measure), aim })
      return `${value.toFixed(digits)} ${unit} (slowest run) ${met ? '✓' : '✗ over the aim'}`
    }
    console.log(`  aims (the worker's path, batches):`)
    console.log(`    ${CPU_AIM_ROWS.toLocaleString('en')} rows validated in < ${CPU_AIM.below} s CPU: ${verdict(CPU_AIM_ROWS, 'cpuSeconds', CPU_AIM, `list reader, ${CPU_AIM_ROWS.toLocaleString('en')} rows: CPU`, 's CPU', 2)}`)
    console.log(`    ${RSS_AIM_ROWS.toLocaleString('en')} rows, peak RSS < ${RSS_AIM.below} MB: ${verdict(RSS_AIM_ROWS, 'peakRssMB', RSS_AIM, `list reader, ${RSS_AIM_ROWS.toLocaleString('en')} rows: peak RSS`, 'MB', 0)}`)
    const [smallest, largest] = [Math.min(...SIZES), Math.max(...SIZES)]
    const growth = (kind: Kind) => (worst(kind, largest, 'peakRssMB') ?? 0) - (worst(kind, smallest, 'peakRssMB') ?? 0)
    console.log(
      `    memory flat: peak RSS ${smallest.toLocaleString('en')} → ${largest.toLocaleString('en')} rows grows ${growth('batches').toFixed(0)} MB in batches, ` +
        `${growth('entries').toFixed(0)} MB entry by entry; papaparse alone ${growth('papaparse').toFixed(0)} MB`,
    )
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

const parts = process.argv.slice(2)
if (!parts.length || parts.includes('read')) await benchReader()
if (!parts.length || parts.includes('send')) {
  const { benchBulkSend } = await import('./bulk-send')
  await benchBulkSend()
}
