/**
 * The shared send rate against DynamoDB Local: separate limiter instances stand for separate
 * workers; they share only the table item.
 */
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { CreateTableCommand } from '@aws-sdk/client-dynamodb'
import { sendRateLimiter } from '../../server/aws/send-rate'
import { createTableInput } from '../../server/aws/table'
import { clients } from '../../server/aws/clients'
import { resetConfig } from '../../server/config'
import { maxInAnyWindow, preciseNow } from '../bench/send-rate'
import { scheduleSends } from '../support/send-schedule'

// A table of its own (as support.ts's useFreshTable, without the rest of the helpers).
beforeAll(async () => {
  const name = `cis-test-${randomUUID().slice(0, 8)}`
  await clients().dynamodb.send(new CreateTableCommand(createTableInput(name)))
  process.env.CIS_TABLE = name
  resetConfig()
})

const uniqueName = () => `test-${randomUUID().slice(0, 8)}`

/** A clock that only moves when someone sleeps (or `advance` is called). */
function virtualClock(start = Date.UTC(2030, 0, 1)) {
  let t = start
  return {
    now: () => t,
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number) => void (t += ms),
  }
}

describe('send rate limiter', () => {
  it('keeps concurrent workers under the rate in every second, and close to it', async () => {
    const rate = 50
    const total = 100
    const name = uniqueName()
    const workers = Array.from({ length: 4 }, () => sendRateLimiter({ name, rate }))
    const times: number[] = []
    const sent: number[] = []
    let next = 0
    const began = preciseNow()
    await Promise.all(
      workers.map(async (limiter) => {
        while (next < total) {
          const first = next
          const count = Math.min(10, total - next)
          next += count
          await scheduleSends(limiter, count, async (k) => {
            times.push(preciseNow())
            sent.push(first + k)
          })
        }
      }),
    )
    const elapsed = preciseNow() - began
    expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i))
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(rate)
    // total / rate = 2 s; the margins cost ~2.5 %, the first reservation a round trip or two.
    expect(elapsed).toBeLessThan(1.5 * (total / rate) * 1000)
  })

  it('single acquires from several workers never exceed the rate either, and share round trips', async () => {
    const rate = 20
    const name = uniqueName()
    const times: number[] = []
    const limiters = Array.from({ length: 3 }, () => sendRateLimiter({ name, rate }))
    // Each worker runs 4 sends at once, 3 times over, one acquire per send (as the send worker does).
    await Promise.all(
      limiters.map(async (limiter) => {
        for (let round = 0; round < 3; round++) {
          await Promise.all(
            Array.from({ length: 4 }, async () => {
              await limiter.acquire()
              times.push(preciseNow())
            }),
          )
        }
      }),
    )
    expect(times).toHaveLength(36)
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(rate)
    // Concurrent acquires in one worker are served by one reservation (plus any lapsed slot's).
    for (const limiter of limiters) expect(limiter.stats.reservations).toBeLessThanOrEqual(3 + limiter.stats.lapsed)
  })

  it('hands out distinct slots, an interval apart, to racing reservations', async () => {
    const clock = virtualClock()
    const name = uniqueName()
    const workers = Array.from({ length: 6 }, () => sendRateLimiter({ name, rate: 10, now: clock.now, sleep: clock.sleep }))
    // All at the same instant: the first to write starts the queue, the others queue behind.
    const batches = await Promise.all(workers.map((limiter, i) => limiter.reserve(1 + (i % 3))))
    const slots = batches.flat().sort((a, b) => a - b)
    expect(slots).toHaveLength(12)
    const interval = workers[0]!.interval
    expect(interval).toBeGreaterThanOrEqual(100)
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeCloseTo(interval, 6)
    // Never in the past, and each batch's own slots are consecutive.
    expect(slots[0]).toBeGreaterThan(clock.now())
    for (const batch of batches) for (let i = 1; i < batch.length; i++) expect(batch[i]! - batch[i - 1]!).toBeCloseTo(interval, 6)
  })

  it('starts afresh after an idle spell instead of counting unused time as credit', async () => {
    const clock = virtualClock()
    const limiter = sendRateLimiter({ name: uniqueName(), rate: 5, now: clock.now, sleep: clock.sleep })
    await limiter.reserve(3)
    clock.advance(60_000)
    const [first, second] = await limiter.reserve(2)
    expect(first).toBeGreaterThan(clock.now())
    expect(second! - first!).toBeCloseTo(limiter.interval, 6)
  })

  it('gives up a slot whose wake-up came too late and sends at a new one', async () => {
    const clock = virtualClock()
    // A sleep that oversleeps by 50 ms once: the first slot lapses.
    let overslept = false
    const sleep = async (ms: number) => {
      clock.advance(ms + (overslept ? 0 : 50))
      overslept = true
    }
    const limiter = sendRateLimiter({ name: uniqueName(), rate: 10, lateness: 20, now: clock.now, sleep })
    const sentAt: number[] = []
    const outcomes = await scheduleSends(limiter, 3, async (i) => {
      sentAt[i] = clock.now()
      return i
    })
    expect(outcomes.map((o) => o.status === 'fulfilled' && o.value)).toEqual([0, 1, 2])
    expect(limiter.stats).toMatchObject({ lapsed: 1, reservations: 2 })
    // Every send happened in order of slots, at least an interval apart.
    const times = [...sentAt].sort((a, b) => a - b)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(limiter.interval - 1)
  })

  it('an acquire whose wake-up came too late waits for a new slot', async () => {
    let overslept = false
    // The first sleep oversleeps by 60 ms (a busy event loop): that slot lapses.
    const sleep = (ms: number) => {
      const extra = overslept ? 0 : 60
      overslept = true
      return new Promise<void>((resolve) => setTimeout(resolve, ms + extra))
    }
    const limiter = sendRateLimiter({ name: uniqueName(), rate: 100, lateness: 20, sleep })
    const times: number[] = []
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        await limiter.acquire()
        times.push(Date.now())
      }),
    )
    expect(times).toHaveLength(3)
    expect(limiter.stats.lapsed).toBeGreaterThanOrEqual(1)
    expect(limiter.stats.reservations).toBeGreaterThanOrEqual(2)
  })

  it('reports failed sends without losing the others', async () => {
    const limiter = sendRateLimiter({ name: uniqueName(), rate: 1000 })
    const outcomes = await scheduleSends(limiter, 3, async (i) => {
      if (i === 1) throw new Error('rejected')
      return i
    })
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  })
})
