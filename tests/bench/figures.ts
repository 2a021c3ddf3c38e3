/**
 * The figures a benchmark measures against an aim, in one shape for `npm run bench`
 * (tests/bench/all.ts). A benchmark prints its own report as before and calls
 * `reportFigure` for each figure it prints beside an aim; with CIS_BENCH_FIGURES set to a
 * file, each call appends the figure there as one JSON line. The aim's comparison lives
 * here, so a benchmark's printed verdict and the table's "met" cannot disagree.
 */
import { appendFileSync, readFileSync } from 'node:fs'
import { z } from 'zod'

/** The file `reportFigure` appends to, one JSON line a figure; unset, it records nothing. */
export const FIGURES_FILE_ENV = 'CIS_BENCH_FIGURES'

/**
 * What a figure should be: under, at most or at least a number (in the figure's unit), at
 * least a multiple of the baseline, or under the baseline plus a number.
 */
export const AimSchema = z.union([
  z.strictObject({ below: z.number() }),
  z.strictObject({ atMost: z.number() }),
  z.strictObject({ atLeast: z.number() }),
  z.strictObject({ timesBaselineAtLeast: z.number() }),
  z.strictObject({ overBaselineBelow: z.number() }),
])
export type Aim = z.infer<typeof AimSchema>

export const FigureSchema = z.strictObject({
  /** What was measured, as the benchmark's report names it. */
  figure: z.string().min(1),
  value: z.number(),
  unit: z.string(),
  /** The same quantity measured in the same run without the code under test (same unit), when there is one. */
  baseline: z.number().nullable(),
  /** Null where the benchmark states no aim for the figure. */
  aim: AimSchema.nullable(),
  /** Whether the value meets the aim; null without an aim (or without the baseline the aim needs). */
  met: z.boolean().nullable(),
  /** Why the value is not a measurement (e.g. every request failed); such a figure never meets its aim. */
  problem: z.string().nullable().default(null),
})
export type Figure = z.infer<typeof FigureSchema>

/** Whether `value` meets `aim`; null when the aim is relative and there is no baseline. */
export function meetsAim(aim: Aim, value: number, baseline: number | null = null): boolean | null {
  if ('below' in aim) return value < aim.below
  if ('atMost' in aim) return value <= aim.atMost
  if ('atLeast' in aim) return value >= aim.atLeast
  if (baseline === null) return null
  if ('timesBaselineAtLeast' in aim) return value >= aim.timesBaselineAtLeast * baseline
  return value < baseline + aim.overBaselineBelow
}

/** A number as the reports print it: whole above 100, else three significant digits at most. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  return String(Number(value.toPrecision(3)))
}

/** The aim in words: `< 100 ms`, `≥ 1× baseline`, `< baseline + 100 ms`. */
export function describeAim(aim: Aim, unit: string): string {
  const withUnit = (n: number) => `${formatNumber(n)}${unit ? ` ${unit}` : ''}`
  if ('below' in aim) return `< ${withUnit(aim.below)}`
  if ('atMost' in aim) return `≤ ${withUnit(aim.atMost)}`
  if ('atLeast' in aim) return `≥ ${withUnit(aim.atLeast)}`
  if ('timesBaselineAtLeast' in aim) return `≥ ${formatNumber(aim.timesBaselineAtLeast)}× baseline`
  return `< baseline + ${withUnit(aim.overBaselineBelow)}`
}

export interface FigureInput {
  figure: string
  value: number
  unit: string
  baseline?: number | null
  aim?: Aim | null
  problem?: string | null
}

/** Records one figure (when CIS_BENCH_FIGURES names a file) and returns whether it met its aim. */
export function reportFigure(input: FigureInput): boolean | null {
  const baseline = input.baseline ?? null
  const aim = input.aim ?? null
  const problem = input.problem ?? null
  const met = problem !== null ? false : aim ? meetsAim(aim, input.value, baseline) : null
  const figure: Figure = { figure: input.figure, value: input.value, unit: input.unit, baseline, aim, met, problem }
  const file = process.env[FIGURES_FILE_ENV]
  if (file) appendFileSync(file, JSON.stringify(figure) + '\n')
  return figure.met
}

/** The figures in a file `reportFigure` wrote; a line that is not a figure is an error naming the line. */
export function readFigures(file: string): Figure[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .flatMap((line, i) => (line.trim() ? [{ line, i }] : []))
    .map(({ line, i }) => {
      let json: unknown
      try {
        json = JSON.parse(line)
      } catch {
        throw new Error(`${file}, line ${i + 1}: not JSON: ${line.slice(0, 80)}`)
      }
      const parsed = FigureSchema.safeParse(json)
      if (!parsed.success) throw new Error(`${file}, line ${i + 1}: not a figure (${z.prettifyError(parsed.error).replace(/\n/g, ' ')})`)
      return parsed.data
    })
}
