/**
 * Benchmark of the shared send rate (server/aws/send-rate.ts): `workers` concurrent loops,
 * each with its own limiter (as separate Lambdas would have), share `rate × seconds`
 * messages, reserving up to `batch` slots at a time and calling `send` at each slot. The
 * time of every `send` call is recorded; the figures are the average rate achieved and the
 * most sends in any sliding 1-second window, against a baseline in the same run: the same
 * loops with no limiter (each sends its batch at once and awaits it), i.e. how fast `send`
 * goes unthrottled. Prints the figures; asserts nothing.
 */
import { randomUUID } from 'node:crypto'
import { sendRateLimiter, type SendRateStats } from '../../server/aws/send-rate'
import { scheduleSends } from '../support/send-schedule'
import { reportFigure } from './figures'

/** The share of the limit a sender should keep to: close to the limit, never above it. */
export const SEND_RATE_AIM_SHARE = 0.95

/** The aims of a send rate against its limit: at least the share above on average, at most the limit in any second. */
export const sendRateAims = (rate: number) => ({ average: { atLeast: SEND_RATE_AIM_SHARE * rate }, anySecond: { atMost: rate } })

export interface SendRateBenchOptions {
  /** Messages per second to keep to. */
  rate: number
  /** Length of the limited run: it sends rate × seconds messages. */
  seconds: number
  workers: number
  /** Called once per message (i counts from 0 across workers). */
  send: (i: number) => Promise<void>
  /** Slots per reservation (an SQS batch); default 10. */
  batch?: number
  /** Length of the unlimited baseline run; default min(seconds, 3). 0 skips it. */
  baselineSeconds?: number
  /** Print the figures (default true). */
  print?: boolean
}

export interface SendRateBenchResult {
  rate: number
  workers: number
  batch: number
  sent: number
  failed: number
  /** From the first send call to the last, seconds. */
  elapsed: number
  /** Sends per second between the first and the last send call. */
  achievedPerSecond: number
  /** Most send calls in any sliding 1-second window. */
  maxInAnySecond: number
  /** Limiter totals over all workers. */
  reservations: number
  conditionFailures: number
  lapsed: number
  /** The same loops with no limiter: send calls per second, the most in any second, and how many failed. */
  baseline: { sent: number; perSecond: number; maxInAnySecond: number; failed: number } | null
}

/** Wall-clock ms with sub-millisecond resolution. */
export const preciseNow = () => performance.timeOrigin + performance.now()

/** The most times (ms) that fall in any half-open window [t, t + width). */
export function maxInAnyWindow(times: number[], width = 1000): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  let end = 0
  for (let begin = 0; begin < sorted.length; begin++) {
    while (end < sorted.length && sorted[end]! < sorted[begin]! + width) end++
    most = Math.max(most, end - begin)
  }
  return most
}

/** Sends per second between the first and the last time. */
export function averageRate(times: number[]): number {
  if (times.length < 2) return 0
  return ((times.length - 1) * 1000) / (Math.max(...times) - Math.min(...times))
}

export async function benchSendRate(options: SendRateBenchOptions): Promise<SendRateBenchResult> {
  const batch = options.batch ?? 10
  const total = Math.round(options.rate * options.seconds)
  const name = `bench-${randomUUID().slice(0, 8)}`

  // Limited: the messages are shared out batch by batch to whichever worker asks first.
  let next = 0
  let failed = 0
  const times: number[] = []
  const limiters = Array.from({ length: options.workers }, () => sendRateLimiter({ name, rate: options.rate }))
  await Promise.all(
    limiters.map(async (limiter) => {
      while (next < total) {
        const first = next
        const count = Math.min(batch, total - next)
        next += count
        const outcomes = await scheduleSends(limiter, count, (k) => {
          times.push(preciseNow())
          return options.send(first + k)
        })
        failed += outcomes.filter((o) => o.status === 'rejected').length
      }
    }),
  )
  const stats = limiters.reduce<SendRateStats>(
    (sum, l) => ({
      reservations: sum.reservations + l.stats.reservations,
      conditionFailures: sum.conditionFailures + l.stats.conditionFailures,
      lapsed: sum.lapsed + l.stats.lapsed,
    }),
    { reservations: 0, conditionFailures: 0, lapsed: 0 },
  )

  // Baseline: the same loops with no limiter, for a fixed time.
  let baseline: SendRateBenchResult['baseline'] = null
  const baselineSeconds = options.baselineSeconds ?? Math.min(options.seconds, 3)
  if (baselineSeconds > 0) {
    const baseTimes: number[] = []
    let baseFailed = 0
    const until = preciseNow() + baselineSeconds * 1000
    let i = total
    await Promise.all(
      Array.from({ length: options.workers }, async () => {
        while (preciseNow() < until) {
          const outcomes = await Promise.allSettled(
            Array.from({ length: batch }, () => {
              baseTimes.push(preciseNow())
              return options.send(i++)
            }),
          )
          baseFailed += outcomes.filter((o) => o.status === 'rejected').length
        }
      }),
    )
    baseline = { sent: baseTimes.length, perSecond: averageRate(baseTimes), maxInAnySecond: maxInAnyWindow(baseTimes), failed: baseFailed }
  }

  const result: SendRateBenchResult = {
    rate: options.rate,
    workers: options.workers,
    batch,
    sent: times.length,
    failed,
    elapsed: times.length ? (Math.max(...times) - Math.min(...times)) / 1000 : 0,
    achievedPerSecond: averageRate(times),
    maxInAnySecond: maxInAnyWindow(times),
    ...stats,
    baseline,
  }
  if (options.print ?? true) printSendRate(result)
  return result
}

export function printSendRate(r: SendRateBenchResult) {
  const pct = (x: number) => `${((x / r.rate) * 100).toFixed(1)}%`
  const aims = sendRateAims(r.rate)
  reportFigure({ figure: `limiter alone: average send rate, limit ${r.rate}/s, ${r.workers} workers (baseline: no limiter)`, value: r.achievedPerSecond, unit: 'messages/s', baseline: r.baseline?.perSecond ?? null, aim: aims.average })
  const neverAbove = reportFigure({ figure: `limiter alone: most sends in any 1-second window, limit ${r.rate}/s`, value: r.maxInAnySecond, unit: 'messages', baseline: r.baseline?.maxInAnySecond ?? null, aim: aims.anySecond })
  console.log(`\nsend rate: ${r.workers} workers, batches of ${r.batch}, limit ${r.rate} messages/s`)
  console.log(`   limited:   ${r.sent} sends (${r.failed} failed) in ${r.elapsed.toFixed(2)} s`)
  console.log(`              average ${r.achievedPerSecond.toFixed(2)}/s (${pct(r.achievedPerSecond)} of the limit; aim ≥ ${SEND_RATE_AIM_SHARE * 100}%)`)
  console.log(`              most in any 1-second window: ${r.maxInAnySecond} (limit ${r.rate}: ${neverAbove ? 'never above' : 'ABOVE THE LIMIT'})`)
  console.log(`              ${r.reservations} reservations (DynamoDB writes), ${r.conditionFailures} lost races, ${r.lapsed} lapsed slots`)
  if (r.baseline) {
    console.log(
      `   baseline, no limiter: ${r.baseline.sent} sends (${r.baseline.failed} failed) at ${r.baseline.perSecond.toFixed(0)}/s, most in any 1-second window ${r.baseline.maxInAnySecond}`,
    )
  }
}
