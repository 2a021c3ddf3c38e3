import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { describeAim, FIGURES_FILE_ENV, meetsAim, readFigures, reportFigure, type Aim } from '../../bench/figures'
import { benchTable, latestMarkdown, README_END, README_START, replaceBetweenMarkers, sharedMachineNote, summaryLine, type BenchRun, type Machine } from '../../bench/report'

const machine: Machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 8, node: 'v24.11.0', os: 'Debian GNU/Linux 12 (bookworm)', loadBefore: 0.2 }
const date = new Date('2026-12-02T00:30:00.123Z')

const runs: BenchRun[] = [
  {
    bench: 'ingest',
    seconds: 60,
    failure: null,
    figures: [
      { figure: 'parse + iTIP decision', value: 1234.5, unit: 'messages/s', baseline: 617.25, aim: { timesBaselineAtLeast: 1 }, met: true, problem: null },
      { figure: 'latency p99', value: 180, unit: 'ms', baseline: 60, aim: { overBaselineBelow: 100 }, met: false, problem: null },
      { figure: 'attendees p99', value: 0, unit: 'ms', baseline: 60, aim: { below: 50 }, met: false, problem: '100 of 100 requests failed' },
    ],
  },
  { bench: 'send', seconds: 30, failure: null, figures: [{ figure: 'zip | size', value: 1.5, unit: 'MB', baseline: null, aim: null, met: null, problem: null }] },
  { bench: 'cold', seconds: 5, failure: 'exit code 1: Error: npm run build:aws failed.', figures: [] },
  { bench: 'pages', seconds: 50, failure: null, figures: [] },
]

describe('meetsAim', () => {
  it.each<[Aim, number, number | null, boolean | null]>([
    [{ below: 100 }, 99, null, true],
    [{ below: 100 }, 100, null, false],
    [{ atMost: 100 }, 100, null, true],
    [{ atLeast: 500 }, 499, null, false],
    [{ timesBaselineAtLeast: 1 }, 10, 10, true],
    [{ timesBaselineAtLeast: 1 }, 9, 10, false],
    [{ timesBaselineAtLeast: 1 }, 9, null, null],
    [{ overBaselineBelow: 100 }, 159, 60, true],
    [{ overBaselineBelow: 100 }, 160, 60, false],
  ])('%j, value %d, baseline %s → %s', (aim, value, baseline, met) => {
    expect(meetsAim(aim, value, baseline)).toBe(met)
  })

  it('words each kind of aim with the unit', () => {
    expect([{ below: 100 }, { atMost: 5 }, { atLeast: 300 }, { timesBaselineAtLeast: 1 }, { overBaselineBelow: 100 }].map((aim) => describeAim(aim, 'ms'))).toEqual([
      '< 100 ms', '≤ 5 ms', '≥ 300 ms', '≥ 1× baseline', '< baseline + 100 ms',
    ])
  })
})

describe('reportFigure and readFigures', () => {
  let folder: string | undefined
  afterEach(() => {
    vi.unstubAllEnvs()
    if (folder) rmSync(folder, { recursive: true, force: true })
  })

  it('appends one line a figure where CIS_BENCH_FIGURES says, and reads them back with their verdicts', () => {
    folder = mkdtempSync(path.join(tmpdir(), 'cis-figures-'))
    const file = path.join(folder, 'figures.jsonl')
    vi.stubEnv(FIGURES_FILE_ENV, file)
    expect(reportFigure({ figure: 'p99', value: 40, unit: 'ms', baseline: 12, aim: { below: 50 } })).toBe(true)
    expect(reportFigure({ figure: 'rate', value: 18, unit: 'messages/s', aim: { atLeast: 19 } })).toBe(false)
    expect(reportFigure({ figure: 'time', value: 3, unit: 's' })).toBeNull()
    // Every request failed: a p99 of 0 ms is no measurement and meets nothing.
    expect(reportFigure({ figure: 'p99 of errors', value: 0, unit: 'ms', aim: { below: 50 }, problem: '100 of 100 requests failed' })).toBe(false)
    expect(readFigures(file)).toEqual([
      { figure: 'p99', value: 40, unit: 'ms', baseline: 12, aim: { below: 50 }, met: true, problem: null },
      { figure: 'rate', value: 18, unit: 'messages/s', baseline: null, aim: { atLeast: 19 }, met: false, problem: null },
      { figure: 'time', value: 3, unit: 's', baseline: null, aim: null, met: null, problem: null },
      { figure: 'p99 of errors', value: 0, unit: 'ms', baseline: null, aim: { below: 50 }, met: false, problem: '100 of 100 requests failed' },
    ])
  })

  it('a file never written holds no figures; a line that is not a figure is named', () => {
    folder = mkdtempSync(path.join(tmpdir(), 'cis-figures-'))
    const file = path.join(folder, 'figures.jsonl')
    expect(readFigures(file)).toEqual([])
    writeFileSync(file, '{"figure":"a","value":1,"unit":"ms","baseline":null,"aim":null,"met":null}\n\n{"figure":"b","value":"fast"}\n')
    expect(() => readFigures(file)).toThrow(/line 3: not a figure/)
    writeFileSync(file, 'Error: boom\n')
    expect(() => readFigures(file)).toThrow(/line 1: not JSON: Error: boom/)
  })
})

describe('the report', () => {
  it('is one table: each figure with baseline, ratio, aim and verdict; a failed bench says why; a silent one says so', () => {
    expect(benchTable(runs)).toMatchInlineSnapshot(`
      "| bench | figure | value | baseline | ratio | aim | met |
      |---|---|--:|--:|--:|---|---|
      | ingest | parse + iTIP decision | 1,235 messages/s | 617 messages/s | 2× | ≥ 1× baseline | yes |
      | ingest | latency p99 | 180 ms | 60 ms | 3× | < baseline + 100 ms | **no** |
      | ingest | attendees p99 | not measured: 100 of 100 requests failed | 60 ms | — | < 50 ms | **no** |
      | send | zip \\| size | 1.5 MB | — | — | — | — |
      | cold | **failed**: exit code 1: Error: npm run build:aws failed. | — | — | — | — | **no** |
      | pages | reported no figures | — | — | — | — | — |"
    `)
    expect(summaryLine(runs)).toBe('bench: 4 benchmarks, 4 figures, 1 aims met, 2 missed, 1 failed (cold)')
  })

  it('bench/latest.md has the date, the machine and the table; a busy machine is noted', () => {
    const markdown = latestMarkdown(runs, machine, date)
    expect(markdown).toContain('Measured 2026-12-02T00:30:00Z on Test CPU, 2 cores, 8 GiB memory; Node.js v24.11.0; Debian GNU/Linux 12 (bookworm).')
    expect(markdown).toContain(benchTable(runs))
    expect(markdown).toContain('in 2.42 minutes')
    expect(markdown).not.toContain('shared with other work')
    expect(sharedMachineNote({ ...machine, loadBefore: 0.99 })).toBeNull()
    expect(latestMarkdown(runs, { ...machine, loadBefore: 3.5 }, date)).toContain('shared with other work during the run (load average 3.50 on 2 cores')
  })

  it('replaces what lies between the README markers and nothing else', () => {
    const readme = `# Title\n\nbefore\n${README_START}\nold table\n| a |\n${README_END}\nafter\n`
    const once = replaceBetweenMarkers(readme, 'new block')
    expect(once).toBe(`# Title\n\nbefore\n${README_START}\nnew block\n${README_END}\nafter\n`)
    expect(replaceBetweenMarkers(once, 'newer')).toBe(`# Title\n\nbefore\n${README_START}\nnewer\n${README_END}\nafter\n`)
  })

  it.each([
    ['no markers', '# Title\n'],
    ['only the start', `${README_START}\n`],
    ['the end first', `${README_END}\n${README_START}\n`],
  ])('a README with %s is a clear error', (_, readme) => {
    expect(() => replaceBetweenMarkers(readme, 'x')).toThrow(`README.md needs the lines ${README_START} and ${README_END}, in that order`)
  })
})
