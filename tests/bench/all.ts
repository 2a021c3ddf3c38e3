/**
 * `npm run bench`: every `bench:*` script in package.json, one after another (never two at
 * once: each would slow the other), each with CIS_BENCH_FIGURES pointing at a file of its
 * own where it records the figures it measures against an aim (figures.ts). Prints each
 * benchmark's own report as it runs, then one table of all figures; writes it with the
 * machine and the date to bench/latest.md and between the markers in README.md. A benchmark
 * that fails does not stop the others: the table says which and why, and the exit code is 1.
 *
 * `npm run bench -- --only ingest,send` runs those alone and prints their table without
 * writing either file (a partial table is not the latest report). Each benchmark has
 * `--limit-minutes` (30) to end; one that does not is stopped and is a failed row.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { FIGURES_FILE_ENV, readFigures } from './figures'
import { runBenchProcess } from './run-bench'
import { benchTable, describeMachine, latestMarkdown, replaceBetweenMarkers, reportBlock, summaryLine, type BenchRun } from './report'

const root = fileURLToPath(new URL('../..', import.meta.url))
const readmePath = path.join(root, 'README.md')
const latestPath = path.join(root, 'bench', 'latest.md')

/** The benchmarks, in package.json's order: the names after `bench:`. */
function benchNames(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  return Object.keys(scripts)
    .filter((name) => name.startsWith('bench:'))
    .map((name) => name.slice('bench:'.length))
}

/** The line of a failed run's stderr that says most: its last error line, else its last line. */
function failureReason(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean)
  const said = [...lines].reverse().find((line) => /^(\w*Error|Error)\b[:\[]/.test(line)) ?? lines.at(-1)
  const how = signal ? `killed by ${signal}` : `exit code ${code}`
  return said ? `${how}: ${said.slice(0, 240)}` : how
}

/** Runs `npm run bench:NAME` within `limitMs`, passing its output through, and collects what it recorded. */
async function runBench(name: string, folder: string, limitMs: number): Promise<BenchRun> {
  const figuresFile = path.join(folder, `${name}.jsonl`)
  const started = performance.now()
  const end = await runBenchProcess('npm', ['run', '--silent', `bench:${name}`], {
    cwd: root,
    env: { ...process.env, [FIGURES_FILE_ENV]: figuresFile },
    limitMs,
    onStderr: (chunk) => process.stderr.write(chunk),
  })
  const seconds = (performance.now() - started) / 1000
  const failure = end.startError
    ? `could not start npm: ${end.startError}`
    : end.timedOut
      ? `no end within ${limitMs / 60_000} min (--limit-minutes), stopped`
      : end.code === 0
        ? null
        : failureReason(end.code, end.signal, end.stderr)
  try {
    return { bench: name, seconds, figures: readFigures(figuresFile), failure }
  } catch (error) {
    return { bench: name, seconds, figures: [], failure: failure ?? (error as Error).message }
  }
}

const known = benchNames()
const usage = `--only takes benchmark names separated by commas, from: ${known.join(', ')}`
let only: string | undefined
let limitMinutes = 30
try {
  const { values } = parseArgs({ options: { only: { type: 'string' }, 'limit-minutes': { type: 'string' } } })
  only = values.only
  if (values['limit-minutes'] !== undefined) {
    limitMinutes = Number(values['limit-minutes'])
    if (!(limitMinutes > 0)) throw new Error(`--limit-minutes ${JSON.stringify(values['limit-minutes'])} is not a number of minutes above 0`)
  }
} catch (error) {
  console.error(`bench: ${(error as Error).message} (${usage}).`)
  process.exit(2)
}
const chosen = only === undefined ? known : only.split(',').map((name) => name.trim().replace(/^bench:/, '')).filter(Boolean)
const unknown = chosen.filter((name) => !known.includes(name))
if (unknown.length || !chosen.length) {
  console.error(`bench: ${usage}${unknown.length ? ` (not one: ${unknown.join(', ')})` : ''}.`)
  process.exit(2)
}

const machine = describeMachine()
const date = new Date()
const folder = mkdtempSync(path.join(tmpdir(), 'cis-bench-figures-'))
const runs: BenchRun[] = []
try {
  for (const name of chosen) {
    console.log(`\n━━━ bench:${name} ━━━`)
    const run = await runBench(name, folder, limitMinutes * 60_000)
    runs.push(run)
    console.log(`━━━ bench:${name}: ${run.failure === null ? 'done' : 'FAILED'} in ${(run.seconds / 60).toFixed(1)} min, ${run.figures.length} figures`)
  }
} finally {
  rmSync(folder, { recursive: true, force: true })
}

console.log(`\n${benchTable(runs)}\n\n${summaryLine(runs)}`)
if (only === undefined) {
  mkdirSync(path.dirname(latestPath), { recursive: true })
  writeFileSync(latestPath, latestMarkdown(runs, machine, date))
  writeFileSync(readmePath, replaceBetweenMarkers(readFileSync(readmePath, 'utf8'), reportBlock(runs, machine, date)))
  console.log(`written: ${path.relative(root, latestPath)} and the table in README.md`)
}
process.exit(runs.some((run) => run.failure !== null) ? 1 : 0)
