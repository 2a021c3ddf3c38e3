/**
 * The shared SES send rate: one limiter for every worker (Lambda invocations, processes),
 * kept in one table item (`RATE#<name>` / `RATE`) as a GCRA "theoretical arrival time"
 * (TAT): the time of the next free send slot. A worker reserves `n` consecutive slots with
 * one conditional UpdateItem and no read-modify-write:
 *
 * - the queue is ahead (tat >= start): `ADD tat n*interval`, condition `tat >= :start`,
 *   and its slots are the old tat onwards;
 * - the queue is idle (no tat, or tat < start): `SET tat = :start + n*interval`, condition
 *   `attribute_not_exists(tat) OR tat < :start`, and its slots are `start` onwards.
 *
 * One of the two conditions always holds, so a failed condition just means "the other
 * case", and the current item (ReturnValuesOnConditionCheckFailure) says which. Slots handed
 * out are therefore distinct and at least `interval` apart, whoever asked.
 *
 * `start` is now plus a lead of about two DynamoDB round trips, so the first slot is still
 * ahead when the answer arrives. Slots are then sent at their time, never before; a wake-up
 * more than `lateness` ms after its slot gives that slot up (it lapses: a little lost
 * throughput, never an excess) and reserves another.
 *
 * Why the interval is wider than 1000/rate: each send happens in [slot, slot + lateness]
 * (plus 1 ms of Date.now() resolution) on its worker's clock, and workers' clocks differ by
 * up to `clockSkew`. Any 1-second window of real time then meets only slots from a span of
 * 1000 + lateness + 1 + clockSkew ms, which at that interval holds at most `rate` slots. So
 * no second ever sees more than `rate` sends (for a whole-number rate, as SES quotas are),
 * at the cost of ~2.5% of throughput with the defaults. Lambda clocks are disciplined by
 * the Amazon Time Sync Service (typically well under 1 ms apart); the default 4 ms allows
 * for worse. A worker whose clock is further off than that can bunch sends by the excess.
 *
 * Rates: at 1/s the interval is ~1.03 s and a batch of 10 spans ~10 s (fine for a Lambda
 * whose timeout allows it; workers queued behind others wait their turn, which bounds
 * nothing: keep concurrency × batch / rate below the Lambda timeout). At 1000/s the interval
 * is ~1 ms; every reservation is one write to one item, and one item takes at most ~1000
 * writes per second (one partition), so reserve slots in batches (a batch of 10 makes
 * 100 writes per second at 1000/s). The TAT is stored in whole microseconds so that sums
 * stay exact.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { clients } from './clients'
import { isConditionFailure } from './table'
import { config } from '../config'

export interface SendRateLimiterOptions {
  /** Which shared rate: one item per name. Default `ses` (the account's SES quota). */
  name?: string
  /** Messages per second; default `config().sendRate`. */
  rate?: number
  /** Wall-clock time in ms since the epoch (default Date.now); must be comparable across workers. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** How late after its slot (ms) a send may still start; later, the slot lapses. Default 20. */
  lateness?: number
  /** Allowance (ms) for the difference between workers' clocks. Default 4. */
  clockSkew?: number
}

export interface SendRateStats {
  /** Successful reservations (DynamoDB writes that handed out slots). */
  reservations: number
  /** Reservations that lost a race and tried the other case (also writes). */
  conditionFailures: number
  /** Slots reserved and given up because the wake-up came too late. */
  lapsed: number
}

export interface SendRateLimiter {
  /** Messages per second kept to. */
  readonly rate: number
  /** Spacing of slots in ms (1000 / rate, widened by the lateness and clock margins). */
  readonly interval: number
  readonly stats: SendRateStats
  /**
   * Reserves `count` consecutive slots with one DynamoDB write (more only under contention);
   * returns their times, ms since the epoch, `interval` apart. Send each with `waitFor`.
   * Slots not used simply lapse.
   */
  reserve(count: number): Promise<number[]>
  /**
   * Waits until slot time `at`. True: send now (call SES right away). False: the wake-up
   * came too late, the slot lapsed; reserve another.
   */
  waitFor(at: number): Promise<boolean>
  /**
   * Waits until one message may be sent now; call SES as soon as it resolves. Concurrent
   * calls on one limiter share reservations (one DynamoDB call in flight at a time).
   * Resolves with the slot's time: a caller that does more work before calling SES must
   * still be within `lateness` of it, or take another slot.
   */
  acquire(): Promise<number>
  /**
   * One slot's time without waiting for it (shared reservations, as `acquire`): for a caller
   * that has work to do just before its slot. Then `waitFor` it; when that says the slot
   * lapsed, take another.
   */
  nextSlot(): Promise<number>
  /** How late after its slot (ms) a send may still start. */
  readonly lateness: number
}

const MICROS = 1000
const MAX_ATTEMPTS = 10

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The TAT of the item a failed condition returned (raw attribute value), if any. */
function tatOf(error: unknown): number | undefined {
  const raw = (error as { Item?: Record<string, unknown> }).Item?.tat
  if (typeof raw === 'number') return raw
  if (raw && typeof raw === 'object' && 'N' in raw) return Number((raw as { N: string }).N)
  return undefined
}

export function sendRateLimiter(options: SendRateLimiterOptions = {}): SendRateLimiter {
  const rate = options.rate ?? config().sendRate
  if (!(rate > 0)) throw new Error(`Send rate must be a positive number of messages per second, not ${rate}.`)
  const key = { pk: `RATE#${options.name ?? 'ses'}`, sk: 'RATE' }
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? defaultSleep
  const lateness = options.lateness ?? 20
  const clockSkew = options.clockSkew ?? 4
  // Whole microseconds, rounded up: rounding can only space slots further apart.
  const intervalMicros = Math.ceil(((1000 + lateness + 1 + clockSkew) * MICROS) / rate)
  const stats: SendRateStats = { reservations: 0, conditionFailures: 0, lapsed: 0 }

  // Smoothed DynamoDB round trip (ms): new slots start about two of them ahead.
  let roundTrip = 25
  const lead = () => Math.min(1000, Math.max(5, 2 * roundTrip))

  async function reserve(count: number): Promise<number[]> {
    if (!Number.isInteger(count) || count < 1) throw new Error(`Cannot reserve ${count} send slots.`)
    const amount = count * intervalMicros
    // The busy case first: when workers keep the queue ahead it is the one that holds, and a
    // worker's own last answer says nothing about what others reserved since. A failed
    // condition returns the item, which says which case holds now.
    let knownTat = Number.POSITIVE_INFINITY as number | undefined
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const asked = now()
      const start = Math.ceil((asked + lead()) * MICROS)
      const ahead = knownTat !== undefined && knownTat >= start
      const update = ahead
        ? { UpdateExpression: 'ADD tat :amount', ConditionExpression: 'tat >= :start', ExpressionAttributeValues: { ':amount': amount, ':start': start } }
        : {
            UpdateExpression: 'SET tat = :tat',
            ConditionExpression: 'attribute_not_exists(tat) OR tat < :start',
            ExpressionAttributeValues: { ':tat': start + amount, ':start': start },
          }
      try {
        const answer = await clients().documents.send(
          new UpdateCommand({
            TableName: config().tableName,
            Key: key,
            ...update,
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        )
        roundTrip = 0.8 * roundTrip + 0.2 * Math.max(0, now() - asked)
        const tat = Number(answer.Attributes?.tat)
        stats.reservations++
        const first = tat - amount
        return Array.from({ length: count }, (_, i) => (first + i * intervalMicros) / MICROS)
      } catch (error) {
        if (!isConditionFailure(error)) throw error
        stats.conditionFailures++
        // The other case holds (unless it changed again meanwhile): the item says which.
        knownTat = tatOf(error) ?? (ahead ? undefined : Number.POSITIVE_INFINITY)
      }
    }
    throw new Error(`Could not reserve send slots for ${key.pk}: ${MAX_ATTEMPTS} attempts lost races with other workers.`)
  }

  async function waitFor(at: number): Promise<boolean> {
    for (;;) {
      const t = now()
      if (t >= at) {
        if (t - at <= lateness) return true
        stats.lapsed++
        return false
      }
      // Timers may fire a little early as well as late: look again on waking.
      await sleep(Math.max(1, Math.ceil(at - t)))
    }
  }

  // acquire() callers waiting for a reservation. One reservation is in flight at a time and
  // serves everyone who asked meanwhile: concurrent sends in one worker share round trips.
  const queued: { resolve: (slot: number) => void; reject: (error: unknown) => void; wait: boolean }[] = []
  let draining = false
  async function drain() {
    while (queued.length > 0) {
      const batch = queued.splice(0, queued.length)
      let slots: number[]
      try {
        slots = await reserve(batch.length)
      } catch (error) {
        for (const waiter of batch) waiter.reject(error)
        continue
      }
      batch.forEach((waiter, k) => {
        if (!waiter.wait) return waiter.resolve(slots[k]!)
        waitFor(slots[k]!).then(
          (onTime) => (onTime ? waiter.resolve(slots[k]!) : enqueue(waiter)),
          waiter.reject,
        )
      })
    }
    draining = false
  }
  function enqueue(waiter: (typeof queued)[number]) {
    queued.push(waiter)
    if (draining) return
    draining = true
    // Callers in the same turn of the event loop join the first reservation.
    setImmediate(() => void drain())
  }
  function acquire(): Promise<number> {
    return new Promise((resolve, reject) => enqueue({ resolve, reject, wait: true }))
  }
  function nextSlot(): Promise<number> {
    return new Promise((resolve, reject) => enqueue({ resolve, reject, wait: false }))
  }

  return { rate, interval: intervalMicros / MICROS, lateness, stats, reserve, waitFor, acquire, nextSlot }
}
