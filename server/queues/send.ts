/**
 * Lambda handler for the send queue: each record is one send job (services/send-jobs.ts).
 * Records run concurrently; the shared rate limiter keeps every worker together under the
 * SES send rate. A job that must be retried is reported as a batch item failure and hidden
 * for a while that grows with each attempt (exponential backoff) before SQS delivers it
 * again; after the queue's maxReceiveCount it is in the dead-letter queue, its reason
 * already recorded on the invitation. A job SES refused only for its rate (or daily quota)
 * is never given up: on its last attempt a fresh copy is queued instead.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { config } from '../config'
import { delayRetry, sendToQueue } from '../aws/queue'
import { sendRateLimiter, type SendRateLimiter } from '../aws/send-rate'
import { readSendJob, type SendJob } from '../services/send-jobs'
import { RetryLater, runSendJob, type SendContext } from '../services/send-worker'

export interface SendHandlerOptions {
  limiter?: SendRateLimiter
  claimLeaseMs?: number
  fanOutPage?: number
  /** Seconds before the first retry; doubled on each later one (capped at 15 minutes). */
  backoffSeconds?: number
  log?: (line: string) => void
}

const MAX_BACKOFF_SECONDS = 15 * 60
/** SQS's longest DelaySeconds. */
const MAX_DELAY_SECONDS = 15 * 60

export function createSendHandler(options: SendHandlerOptions = {}) {
  let limiter = options.limiter
  const log = options.log ?? ((line: string) => console.log(line))
  return async function handleSendQueue(event: SQSEvent): Promise<SQSBatchResponse> {
    limiter ??= sendRateLimiter()
    const cfg = config()
    const failures = await Promise.all(
      event.Records.map(async (record) => {
        const job = readSendJob(record.body)
        if (!job) {
          // Retrying a message that is not a job cannot help: drop it, loudly.
          log(`send: message ${record.messageId} is not a send job and is dropped: ${record.body.slice(0, 200)}`)
          return null
        }
        const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1') || 1
        const context: SendContext = { attempt, maxAttempts: cfg.sendMaxAttempts, limiter: limiter!, claimLeaseMs: options.claimLeaseMs, fanOutPage: options.fanOutPage }
        try {
          const result = await runSendJob(job, context)
          log(`send: ${describe(job)}: ${result.outcome} (${result.reason})`)
          return null
        } catch (error) {
          log(`send: ${describe(job)} attempt ${attempt} failed: ${(error as Error).message}`)
          const delay = backoffSeconds(attempt, options.backoffSeconds ?? 10)
          if (error instanceof RetryLater && error.rateLimited && attempt >= cfg.sendMaxAttempts) {
            // SES's rate, not the message, is the problem: a fresh copy starts its attempts
            // again rather than this one ending in the dead-letter queue.
            try {
              await sendToQueue('send', record.body, Math.min(delay, MAX_DELAY_SECONDS))
              return null
            } catch {
              // fall through: SQS retries the original
            }
          }
          await delayRetry('send', record.receiptHandle, delay).catch(() => undefined)
          return { itemIdentifier: record.messageId }
        }
      }),
    )
    return { batchItemFailures: failures.filter((failure) => failure !== null) }
  }
}

const describe = (job: SendJob) =>
  job.type === 'notify' ? `notify ${job.template} ${job.to}` : `${job.type} ${job.eventUid}${'email' in job ? ` ${job.email}` : 'to' in job ? ` ${job.to}` : ''}`

/** Seconds before the next try: doubling from `baseSeconds`, capped at 15 minutes. */
const backoffSeconds = (attempt: number, baseSeconds: number) => Math.min(baseSeconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)

export const handleSendQueue = createSendHandler()
