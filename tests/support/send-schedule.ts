import type { SendRateLimiter } from '../../server/aws/send-rate'

/**
 * Calls `send(i)` for each i in 0..count-1 at a slot of its own, reserved together (one
 * DynamoDB call for the batch), through the limiter's `reserve` and `waitFor`. Sends are
 * started at their slots without waiting for the earlier ones to finish; a lapsed slot is
 * reserved again. Resolves once all have settled, with their outcomes in order. The server
 * sends one message per `acquire` (aws/mailer.ts); the tests and the send-rate benchmark
 * drive whole batches this way.
 */
export async function scheduleSends<T>(limiter: SendRateLimiter, count: number, send: (index: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const outcomes: PromiseSettledResult<T>[] = new Array(count)
  const running: Promise<void>[] = []
  const start = async (index: number) => {
    try {
      outcomes[index] = { status: 'fulfilled', value: await send(index) }
    } catch (reason) {
      outcomes[index] = { status: 'rejected', reason }
    }
  }
  let pending = Array.from({ length: count }, (_, i) => i)
  while (pending.length > 0) {
    const slots = await limiter.reserve(pending.length)
    const lapsed: number[] = []
    for (const [k, index] of pending.entries()) {
      // send(index) is called synchronously here, at its slot.
      if (await limiter.waitFor(slots[k]!)) running.push(start(index))
      else lapsed.push(index)
    }
    pending = lapsed
  }
  await Promise.all(running)
  return outcomes
}
