/**
 * The report of `npm run bench` (tests/bench/all.ts): one table of every benchmark's figures,
 * `bench/latest.md` with the machine and the date, and the same block in README.md between
 * its markers. Pure functions but `describeMachine`, which reads this machine.
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { describeAim, formatNumber, type Figure } from './figures'

/** One benchmark's run: its figures, or why it failed (with whatever figures it reported before). */
export interface BenchRun {
  /** The name after `bench:` in package.json, e.g. `ingest`. */
  bench: string
  seconds: number
  figures: Figure[]
  /** Null when the benchmark exited 0. */
  failure: string | null
}

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  os: string
  /** The 1-minute load average just before the run. */
  loadBefore: number
}

export const README_START = '<!-- bench:latest:start -->'
export const README_END = '<!-- bench:latest:end -->'

/** A figure's value or baseline with its unit. */
const withUnit = (value: number, unit: string) => `${formatNumber(value)}${unit ? ` ${unit}` : ''}`

/** Markdown cells may not hold a pipe or a line break. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')

const verdict = (met: boolean | null) => (met === null ? '—' : met ? 'yes' : '**no**')

/** The one table: a row per figure, and a row for each benchmark that failed or reported nothing. */
export function benchTable(runs: BenchRun[]): string {
  const rows = [
    '| bench | figure | value | baseline | ratio | aim | met |',
    '|---|---|--:|--:|--:|---|---|',
  ]
  for (const run of runs) {
    for (const f of run.figures) {
      const ratio = f.baseline && f.problem === null ? `${formatNumber(f.value / f.baseline)}×` : '—'
      rows.push(
        `| ${run.bench} | ${cell(f.figure)} | ${f.problem === null ? withUnit(f.value, f.unit) : `not measured: ${cell(f.problem)}`} | ${f.baseline === null ? '—' : withUnit(f.baseline, f.unit)} | ${ratio} | ${f.aim ? cell(describeAim(f.aim, f.unit)) : '—'} | ${verdict(f.met)} |`,
      )
    }
    if (run.failure !== null) rows.push(`| ${run.bench} | **failed**: ${cell(run.failure)} | — | — | — | — | **no** |`)
    else if (!run.figures.length) rows.push(`| ${run.bench} | reported no figures | — | — | — | — | — |`)
  }
  return rows.join('\n')
}

/** Aims met and missed, and benchmarks failed, in one line. */
export function summaryLine(runs: BenchRun[]): string {
  const figures = runs.flatMap((run) => run.figures)
  const met = figures.filter((f) => f.met === true).length
  const missed = figures.filter((f) => f.met === false).length
  const failed = runs.filter((run) => run.failure !== null).map((run) => run.bench)
  return `bench: ${runs.length} benchmarks, ${figures.length} figures, ${met} aims met, ${missed} missed, ${failed.length} failed${failed.length ? ` (${failed.join(', ')})` : ''}`
}

/** The machine in one sentence, and whether it was busy before the run began. */
export function machineLine(machine: Machine): string {
  return `${machine.cpu}, ${machine.cores} cores, ${formatNumber(machine.memoryGiB)} GiB memory; Node.js ${machine.node}; ${machine.os}`
}

/** A load average of half the cores before the run means other work shared the machine. */
export function sharedMachineNote(machine: Machine): string | null {
  return machine.loadBefore >= machine.cores / 2
    ? `The machine was shared with other work during the run (load average ${machine.loadBefore.toFixed(2)} on ${machine.cores} cores just before it began), so figures that depend on CPU are lower than on an idle machine.`
    : null
}

/** The block the README shows between its markers: when, where, the table. */
export function reportBlock(runs: BenchRun[], machine: Machine, date: Date): string {
  const note = sharedMachineNote(machine)
  return [
    `Measured ${date.toISOString().replace(/\.\d+Z$/, 'Z')} on ${machineLine(machine)}.${note ? ` ${note}` : ''}`,
    '',
    benchTable(runs),
    '',
    summaryLine(runs),
  ].join('\n')
}

/** The whole of `bench/latest.md`. */
export function latestMarkdown(runs: BenchRun[], machine: Machine, date: Date): string {
  const minutes = runs.reduce((sum, run) => sum + run.seconds, 0) / 60
  return [
    '# Benchmarks: the latest run',
    '',
    `Written by \`npm run bench\` (every \`bench:*\` script in package.json, one after another, in ${formatNumber(minutes)} minutes). ` +
      'The baseline is measured in the same run: what the code under test is compared with, in the same unit; ratio is value ÷ baseline.',
    '',
    reportBlock(runs, machine, date),
    '',
  ].join('\n')
}

/** `text` with what lies between the README markers replaced by `block`; an error says which marker is missing. */
export function replaceBetweenMarkers(text: string, block: string): string {
  const start = text.indexOf(README_START)
  const end = text.indexOf(README_END)
  if (start < 0 || end < 0 || end < start) {
    throw new Error(`README.md needs the lines ${README_START} and ${README_END}, in that order, around the benchmark table.`)
  }
  return `${text.slice(0, start + README_START.length)}\n${block}\n${text.slice(end)}`
}

/** This machine, read now. */
export function describeMachine(): Machine {
  let system = `${os.type()} ${os.release()}`
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]
    if (pretty) system = `${pretty} (${system})`
  } catch {
    // Not Linux, or no os-release: the kernel's name and release say enough.
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    os: system,
    loadBefore: os.loadavg()[0]!,
  }
}
