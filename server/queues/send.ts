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
import { logger, withTrace, type Logger, type TraceKeys } from '../log'

export interface SendHandlerOptions {
  limiter?: SendRateLimiter
  claimLeaseMs?: number
  fanOutPage?: number
  /** Seconds before the first retry; doubled on each later one (capped at 15 minutes). */
  backoffSeconds?: number
  /** How long a list job works before it queues its continuation, and the rows it handles between progress updates. */
  listBudgetMs?: number
  listChunkRows?: number
  /** The logger to write to; each record's lines also carry its SQS message id and what its job is about. */
  log?: Logger
}

const MAX_BACKOFF_SECONDS = 15 * 60
/** SQS's longest DelaySeconds. */
const MAX_DELAY_SECONDS = 15 * 60

export function createSendHandler(options: SendHandlerOptions = {}) {
  let limiter = options.limiter
  return async function handleSendQueue(event: SQSEvent): Promise<SQSBatchResponse> {
    limiter ??= sendRateLimiter()
    const cfg = config()
    const failures = await Promise.all(
      event.Records.map(async (record) => {
        const recordLog = withTrace(options.log ?? logger, { sqsMessageId: record.messageId })
        const job = readSendJob(record.body)
        if (!job) {
          // Retrying a message that is not a job cannot help: drop it, loudly.
          recordLog.warn('send queue message is not a send job; dropped', { excerpt: record.body.slice(0, 200) })
          return null
        }
        const { keys, ...about } = describe(job)
        const log = withTrace(recordLog, keys)
        const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1') || 1
        const context: SendContext = {
          attempt,
          maxAttempts: cfg.sendMaxAttempts,
          limiter: limiter!,
          claimLeaseMs: options.claimLeaseMs,
          fanOutPage: options.fanOutPage,
          listBudgetMs: options.listBudgetMs,
          listChunkRows: options.listChunkRows,
        }
        try {
          const result = await runSendJob(job, context)
          log.info('send job done', { ...about, outcome: result.outcome, reason: result.reason, sesMessageId: result.sesMessageId })
          return null
        } catch (error) {
          const delay = backoffSeconds(attempt, options.backoffSeconds ?? 10)
          const last = attempt >= cfg.sendMaxAttempts
          if (error instanceof RetryLater && error.rateLimited && last) {
            // SES's rate, not the message, is the problem: a fresh copy starts its attempts
            // again rather than this one ending in the dead-letter queue.
            try {
              await sendToQueue('send', record.body, Math.min(delay, MAX_DELAY_SECONDS))
              log.warn('send job attempt failed; queued afresh', { ...about, attempt, error })
              return null
            } catch {
              // fall through: SQS retries the original
            }
          }
          if (last) log.error('send job failed on its last attempt; the queue moves it to its dead-letter queue', { ...about, attempt, error })
          else log.warn('send job attempt failed; SQS will deliver it again', { ...about, attempt, error })
          await delayRetry('send', record.receiptHandle, delay).catch(() => undefined)
          return { itemIdentifier: record.messageId }
        }
      }),
    )
    return { batchItemFailures: failures.filter((failure) => failure !== null) }
  }
}

/** What a job's lines say it is about: the trace keys, and its kind, recipient and template. */
function describe(job: SendJob): { keys: TraceKeys; sendJob: SendJob['type']; recipient?: string; template?: string; listId?: string } {
  switch (job.type) {
    case 'deliver':
    case 'refresh':
    case 'resend':
    case 'cancel-attendee':
      return { keys: { eventUid: job.eventUid }, sendJob: job.type, recipient: job.email }
    case 'report':
      return { keys: { eventUid: job.eventUid }, sendJob: job.type, recipient: job.to }
    case 'fan-out':
      return { keys: { eventUid: job.eventUid }, sendJob: job.type }
    case 'invite-request':
      return { keys: {}, sendJob: job.type, recipient: job.email }
    case 'list':
    case 'list-report':
      return { keys: {}, sendJob: job.type, listId: job.listId }
    case 'notify':
      // The inbound message the notification is about: its lines join that message's (a
      // confirmation of "Send me the invite" is about no message).
      return { keys: job.template === 'inviteRequestConfirmation' ? {} : { s3Key: job.key }, sendJob: job.type, recipient: job.to, template: job.template }
  }
}

/** Seconds before the next try: doubling from `baseSeconds`, capped at 15 minutes. */
const backoffSeconds = (attempt: number, baseSeconds: number) => Math.min(baseSeconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)

export const handleSendQueue = createSendHandler()
