/**
 * SES failures: which are worth another try, and a sentence an organizer can read.
 *
 * - throttled (TooManyRequestsException, ThrottlingException, HTTP 429, "Maximum sending
 *   rate exceeded") and transient (5xx, timeouts, connections refused): retried here, a few
 *   times, with exponential backoff and jitter;
 * - in doubt (the connection dropped after the request went out: ECONNRESET, EPIPE, "socket
 *   hang up"): SES may have accepted the message and only its answer was lost, so it is
 *   never sent again; the send is recorded as `unknown`;
 * - daily quota used up (LimitExceededException, "Daily message quota exceeded"): retryable,
 *   but only later (the queue's redelivery), not within this call;
 * - rejected (MessageRejected, BadRequestException, NotFoundException, an unverified MAIL FROM
 *   domain…) and account-level refusals (AccountSuspendedException, SendingPausedException):
 *   permanent, never retried;
 * - anything else (not an SES answer we know): not retried here, left to the queue.
 *
 * The SES client makes one attempt per call (`maxAttempts: 1` in clients.ts), so every retry
 * happens here, and the mailer has each one take a slot of the shared send rate.
 */

export type SesErrorKind = 'throttled' | 'transient' | 'in-doubt' | 'daily-quota' | 'rejected' | 'account' | 'unknown'

export interface SesErrorClass {
  /** Sending the same message again may succeed: now (throttled, transient) or later. */
  retryable: boolean
  /** Worth retrying within this call after a short backoff (throttled, transient). */
  retryNow: boolean
  kind: SesErrorKind
  /** What an organizer reads about this failure. */
  sentence: string
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'ThrottledException', 'RequestThrottled', 'SlowDown'])
const TRANSIENT = new Set([
  'InternalFailure', 'InternalServiceErrorException', 'InternalServerError', 'InternalServerException', 'InternalError', 'ServiceUnavailable',
  'ServiceUnavailableException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError', 'AbortError',
])
const NETWORK = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_CONNECT_TIMEOUT'])
/** The connection broke once the request was on its way: SES may have sent the message. */
const DROPPED = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'UND_ERR_SOCKET', 'ERR_HTTP2_STREAM_ERROR'])
const ACCOUNT: Record<string, string> = {
  AccountSuspendedException: 'SES refused to send: the sending account is suspended.',
  SendingPausedException: 'SES refused to send: sending is paused for this account or its configuration set.',
}

interface ErrorShape {
  name?: unknown
  code?: unknown
  message?: unknown
  $fault?: unknown
  $metadata?: { httpStatusCode?: unknown }
  $retryable?: unknown
  cause?: unknown
}

const sentenceOf = (text: string) => {
  const trimmed = text.trim().replace(/\s+/g, ' ')
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

export function classifySesError(error: unknown): SesErrorClass {
  // What sendWithRetry gave up on was classified then.
  if (error instanceof SesSendError) return error.failure
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorShape
  const name = typeof e.name === 'string' ? e.name : ''
  const code = typeof e.code === 'string' ? e.code : typeof (e.cause as ErrorShape | undefined)?.code === 'string' ? String((e.cause as ErrorShape).code) : ''
  const message = typeof e.message === 'string' ? e.message : ''
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined
  const detail = message ? sentenceOf(message) : `${name || 'unknown error'}.`

  // SES v1 answers both limits with "Throttling": its message tells them apart.
  if (/daily message quota exceeded/i.test(message) || name === 'LimitExceededException') {
    return { retryable: true, retryNow: false, kind: 'daily-quota', sentence: 'The SES daily sending quota is used up; the message will be sent after it resets.' }
  }
  if (THROTTLING.has(name) || status === 429 || /maximum sending rate exceeded/i.test(message)) {
    return { retryable: true, retryNow: true, kind: 'throttled', sentence: 'SES is sending at its maximum rate; the message will be retried.' }
  }
  if (ACCOUNT[name]) return { retryable: false, retryNow: false, kind: 'account', sentence: ACCOUNT[name] }
  if (name === 'MailFromDomainNotVerifiedException') {
    return { retryable: false, retryNow: false, kind: 'rejected', sentence: "SES rejected the message: the sender's MAIL FROM domain is not verified." }
  }
  if (name === 'MessageRejected' || name === 'BadRequestException' || name === 'NotFoundException') {
    return { retryable: false, retryNow: false, kind: 'rejected', sentence: `SES rejected the message: ${detail}` }
  }
  if (status === undefined && (DROPPED.has(code) || /socket hang up/i.test(message))) {
    return {
      retryable: false,
      retryNow: false,
      kind: 'in-doubt',
      sentence: `The connection to SES broke (${code || 'socket hang up'}) before it answered, so this message may or may not have arrived; it is not sent twice. Send the invitation again if the attendee did not get it.`,
    }
  }
  if (TRANSIENT.has(name) || NETWORK.has(code) || (status !== undefined && status >= 500) || e.$fault === 'server') {
    return { retryable: true, retryNow: true, kind: 'transient', sentence: `SES could not be reached (${code || name || status}); the message will be retried.` }
  }
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) {
    return { retryable: false, retryNow: false, kind: 'rejected', sentence: `SES rejected the message: ${detail}` }
  }
  return { retryable: true, retryNow: false, kind: 'unknown', sentence: `Sending failed: ${detail}` }
}

/** A send that failed for good within `sendWithRetry`; `message` is the organizer's sentence. */
export class SesSendError extends Error {
  override readonly name = 'SesSendError'
  readonly failure: SesErrorClass
  readonly kind: SesErrorKind
  /** Sending again later (the queue's redelivery) may succeed. */
  readonly retryable: boolean
  /** SES calls made. */
  readonly attempts: number
  constructor(failure: SesErrorClass, attempts: number, cause: unknown) {
    super(failure.sentence, { cause })
    this.failure = failure
    this.kind = failure.kind
    this.retryable = failure.retryable
    this.attempts = attempts
  }
}

export interface SendWithRetryOptions {
  /** SES calls at most, the first included. Default 4. */
  attempts?: number
  /** Backoff before the first retry (ms), doubling each time. Default 200. */
  baseDelayMs?: number
  /** Longest backoff (ms). Default 5000. */
  maxDelayMs?: number
  sleep?: (ms: number) => Promise<void>
  /** In [0, 1); default Math.random. */
  random?: () => number
  /**
   * Runs after the backoff, before each retry: e.g. `() => limiter.acquire()`, so that a
   * retried send takes a slot of the shared send rate like any other.
   */
  beforeRetry?: (attempt: number, failure: SesErrorClass) => Promise<void> | void
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Calls `send` (attempt counts from 1) until it succeeds; retries throttling and transient
 * failures with exponential backoff and "equal jitter" (half the step fixed, half random) up
 * to `attempts` calls. Any other failure, or the last one, throws a SesSendError.
 */
export async function sendWithRetry<T>(send: (attempt: number) => Promise<T>, options: SendWithRetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4)
  const base = options.baseDelayMs ?? 200
  const cap = options.maxDelayMs ?? 5000
  const sleep = options.sleep ?? defaultSleep
  const random = options.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(attempt)
    } catch (error) {
      const failure = classifySesError(error)
      if (!failure.retryNow || attempt >= attempts) throw new SesSendError(failure, attempt, error)
      const step = Math.min(cap, base * 2 ** (attempt - 1))
      await sleep(step / 2 + random() * (step / 2))
      await options.beforeRetry?.(attempt + 1, failure)
    }
  }
}
