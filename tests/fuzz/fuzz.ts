/**
 * `npm run fuzz -- --seconds N [--seed S] [--count N] [--replay FILE]`: mutated mail,
 * calendars and lists (mutations.ts) run through the real readers and deciders
 * (targets.ts) in two child processes, each input within 5 s of CPU time (60 s on the clock),
 * a 256 MB heap and 1,024 MB of resident memory (pool.ts).
 * Stops after N seconds or N inputs, whichever comes first. Every input that crashed, hung
 * or ran out of memory is written to tests/artifacts/fuzz/ (or --out DIR) as its bytes and a
 * .json saying its seed, index, source file and mutation; `--replay FILE.json` runs it again.
 * The last line is `fuzz: N inputs, C crashes, H hangs, M over-memory`; exit 1 unless all
 * three are 0.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { basename, dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { repoRoot } from '../corpus'
import { makeInput, type FuzzInput } from './mutations'
import { FuzzPool, type Bounds, type Ending } from './pool'
import { loadSeeds } from './seeds'

export const BOUNDS: Bounds = { cpuMs: 5000, wallMs: 60_000, heapMb: 256, residentMb: 1024 }
const TARGETS = new URL('./targets.ts', import.meta.url)

interface FailureRecord {
  seed: number
  index: number
  kind: FuzzInput['kind']
  source: string
  mutation: string
  layout?: FuzzInput['layout']
  chunkBytes?: number
  ending: Exclude<Ending, { kind: 'outcome' }>
  /** The input's bytes, beside this file. */
  bytesFile: string
}

const usage = 'usage: npm run fuzz -- [--seconds N] [--count N] [--seed S] [--workers N] [--out DIR] | --replay FILE.json'

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0) {
    console.error(`--${name} ${JSON.stringify(value)} is not a whole number. ${usage}`)
    process.exit(2)
  }
  return number
}

function saveFailure(out: string, record: Omit<FailureRecord, 'bytesFile'>, bytes: Uint8Array): string {
  mkdirSync(out, { recursive: true })
  const stem = `seed-${record.seed}-input-${record.index}-${record.ending.kind}`
  const bytesFile = `${stem}.${record.kind === 'mail' ? 'eml' : record.kind === 'calendar' ? 'ics' : 'csv'}`
  writeFileSync(resolve(out, bytesFile), bytes)
  const file = resolve(out, `${stem}.json`)
  writeFileSync(file, JSON.stringify({ ...record, bytesFile }, null, 2) + '\n')
  return file
}

const describe = (ending: Ending) => (ending.kind === 'outcome' ? ending.outcome : ending.kind === 'crash' ? `crash in ${ending.step}: ${ending.detail}` : `${ending.kind}: ${ending.detail}`)

async function replay(file: string): Promise<number> {
  const record = JSON.parse(readFileSync(file, 'utf8')) as FailureRecord
  const bytes = new Uint8Array(readFileSync(resolve(dirname(file), record.bytesFile)))
  const input: FuzzInput = { kind: record.kind, source: record.source, mutation: record.mutation, bytes, layout: record.layout, chunkBytes: record.chunkBytes }
  console.log(`fuzz: replaying ${basename(file)}: input ${record.index} of seed ${record.seed}, ${record.source}, ${record.mutation}`)
  const pool = new FuzzPool<FuzzInput>(TARGETS, BOUNDS, 1)
  const ending = await pool.run(input)
  await pool.close()
  console.log(describe(ending))
  const [c, h, m] = (['crash', 'hang', 'over-memory'] as const).map((kind) => Number(ending.kind === kind))
  console.log(`fuzz: 1 inputs, ${c} crashes, ${h} hangs, ${m} over-memory`)
  return c || h || m ? 1 : 0
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      replay: { type: 'string' },
    },
  })
  if (values.replay) return replay(resolve(values.replay))
  const seconds = count('seconds', values.seconds, values.count === undefined ? 60 : Number.POSITIVE_INFINITY)
  const limit = count('count', values.count, Number.POSITIVE_INFINITY)
  const seed = count('seed', values.seed, Math.floor(Math.random() * 2 ** 31))
  const workers = Math.max(1, count('workers', values.workers, Math.min(2, availableParallelism())))
  const out = resolve(values.out ?? resolve(repoRoot, 'tests/artifacts/fuzz'))

  const seeds = loadSeeds()
  console.log(`fuzz: seed ${seed} (rerun with --seed ${seed}); ${seeds.origin}`)
  console.log(`fuzz: each input within ${BOUNDS.cpuMs} ms of CPU time (${BOUNDS.wallMs} ms on the clock) and a ${BOUNDS.heapMb} MB heap (${BOUNDS.residentMb} MB resident), ${workers} processes, ${seconds === Infinity ? 'no time limit' : `${seconds} s`}${limit === Infinity ? '' : `, at most ${limit} inputs`}`)

  const pool = new FuzzPool<FuzzInput>(TARGETS, BOUNDS, workers)
  const tally = { inputs: 0, crash: 0, hang: 0, 'over-memory': 0 }
  const deadline = Date.now() + seconds * 1000
  let next = 0
  let lastReport = Date.now()
  const lane = async () => {
    while (Date.now() < deadline && next < limit) {
      const index = next++
      const input = makeInput(seeds.files, seed, index)
      const ending = await pool.run(input)
      tally.inputs++
      if (ending.kind !== 'outcome') {
        tally[ending.kind]++
        const { bytes, ...rest } = input
        const file = saveFailure(out, { seed, index, ...rest, ending }, bytes)
        console.log(`fuzz: input ${index} (${input.source}, ${input.mutation}): ${describe(ending).split('\n').slice(0, 3).join(' ')}\n  saved: ${file}`)
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now()
        console.log(`fuzz: ${tally.inputs} inputs so far`)
      }
    }
  }
  await Promise.all(Array.from({ length: workers }, lane))
  await pool.close()
  console.log(`fuzz: ${tally.inputs} inputs, ${tally.crash} crashes, ${tally.hang} hangs, ${tally['over-memory']} over-memory`)
  return tally.crash || tally.hang || tally['over-memory'] ? 1 : 0
}

process.exitCode = await main()
