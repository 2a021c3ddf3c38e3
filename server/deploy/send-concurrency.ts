/**
 * How many send function instances each of its queues may run at once (the event source
 * mappings' MaximumConcurrency, parameter SendMaximumConcurrency), from the account's SES
 * send rate. The shared rate limiter (server/aws/send-rate.ts) keeps every instance together
 * under the rate, whatever their number; the number still matters twice:
 *
 * - enough to reach the rate: one instance sends its batch of `batchSize` messages at once,
 *   each SES call taking about `sendCallMs`, so it manages about batchSize × 1000 / sendCallMs
 *   messages a second;
 * - few enough that no instance waits out its timeout for a slot: instances queued behind
 *   each other wait concurrency × batchSize / rate seconds for their last slot, which must stay
 *   well under the function's timeout (half of it here, leaving the rest for the work).
 *
 * Lambda takes 2 to 1000.
 */
export interface SendConcurrencyInputs {
  /** SES's maximum send rate, messages per second. */
  sendRate: number
  /** The send function's Timeout, seconds. */
  timeoutSeconds: number
  /** Messages per invocation (the mapping's BatchSize). */
  batchSize: number
  /** An SES SendEmail call's usual duration, ms. */
  sendCallMs?: number
}

export const LAMBDA_MIN_MAXIMUM_CONCURRENCY = 2
export const LAMBDA_MAX_MAXIMUM_CONCURRENCY = 1000

export function sendMaximumConcurrency({ sendRate, timeoutSeconds, batchSize, sendCallMs = 100 }: SendConcurrencyInputs): number {
  const perInstance = (batchSize * 1000) / sendCallMs
  const needed = Math.ceil(sendRate / perInstance) * 2 // twice what the rate needs, for slow calls
  const mostWithoutTimeout = Math.floor((sendRate * timeoutSeconds) / 2 / batchSize)
  const chosen = Math.min(needed, mostWithoutTimeout)
  return Math.max(LAMBDA_MIN_MAXIMUM_CONCURRENCY, Math.min(LAMBDA_MAX_MAXIMUM_CONCURRENCY, chosen))
}
