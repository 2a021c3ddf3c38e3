import { describe, expect, it, vi } from 'vitest'
import {
  AccountSuspendedException,
  BadRequestException,
  InternalServiceErrorException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2'
import { classifySesError, sendWithRetry, SesSendError } from '../../../../server/aws/ses-retry'

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } })
/** An error as the SDK builds it for an answer it has no class for. */
const serviceError = (name: string, message: string, status: number, fault: 'client' | 'server') =>
  Object.assign(new Error(message), { name, $fault: fault, ...meta(status) })
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code })

describe('classifySesError', () => {
  it.each([
    ['TooManyRequestsException', new TooManyRequestsException({ message: 'Too many requests', ...meta(429) }), 'throttled'],
    ['ThrottlingException', serviceError('ThrottlingException', 'Rate exceeded', 400, 'client'), 'throttled'],
    ['HTTP 429 of any name', serviceError('SomethingNew', 'slow down', 429, 'client'), 'throttled'],
    ['SES v1 rate message', serviceError('Throttling', 'Maximum sending rate exceeded.', 400, 'client'), 'throttled'],
    ['LimitExceededException', new LimitExceededException({ message: 'Daily message quota exceeded', ...meta(400) }), 'daily-quota'],
    ['SES v1 quota message', serviceError('Throttling', 'Daily message quota exceeded.', 400, 'client'), 'daily-quota'],
    ['InternalServiceErrorException', new InternalServiceErrorException({ message: 'oops', ...meta(500) }), 'transient'],
    ['HTTP 503', serviceError('ServiceUnavailable', 'Service Unavailable', 503, 'server'), 'transient'],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'transient'],
    ['ECONNRESET (the request may have reached SES)', networkError('ECONNRESET'), 'in-doubt'],
    ['socket hang up', new Error('socket hang up'), 'in-doubt'],
    ['SDK timeout', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }), 'transient'],
    ['MessageRejected', new MessageRejected({ message: 'Email address is not verified.', ...meta(400) }), 'rejected'],
    ['MailFromDomainNotVerifiedException', new MailFromDomainNotVerifiedException({ message: 'x', ...meta(400) }), 'rejected'],
    ['BadRequestException', new BadRequestException({ message: 'Invalid raw message', ...meta(400) }), 'rejected'],
    ['NotFoundException', new NotFoundException({ message: 'Configuration set <cis> does not exist', ...meta(404) }), 'rejected'],
    ['AccountSuspendedException', new AccountSuspendedException({ message: 'x', ...meta(400) }), 'account'],
    ['SendingPausedException', new SendingPausedException({ message: 'x', ...meta(400) }), 'account'],
    ['an unknown 4xx', serviceError('ValidationException', 'bad', 400, 'client'), 'rejected'],
    ['not an SES answer', new TypeError('cannot read properties of undefined'), 'unknown'],
  ])('%s → %s', (_label, error, kind) => {
    const classified = classifySesError(error)
    expect(classified.kind).toBe(kind)
    expect(classified.retryNow).toBe(kind === 'throttled' || kind === 'transient')
    expect(classified.retryable).toBe(!['rejected', 'account', 'in-doubt'].includes(kind))
  })

  it('says in a sentence what SES rejected', () => {
    expect(classifySesError(new MessageRejected({ message: 'Email address is not verified', ...meta(400) })).sentence).toBe(
      'SES rejected the message: Email address is not verified.',
    )
    expect(classifySesError(new MailFromDomainNotVerifiedException({ message: 'x', ...meta(400) })).sentence).toBe(
      "SES rejected the message: the sender's MAIL FROM domain is not verified.",
    )
    expect(classifySesError(new LimitExceededException({ message: 'Daily message quota exceeded', ...meta(400) })).sentence).toBe(
      'The SES daily sending quota is used up; the message will be sent after it resets.',
    )
    expect(classifySesError(networkError('ECONNREFUSED')).sentence).toBe('SES could not be reached (ECONNREFUSED); the message will be retried.')
    expect(classifySesError(networkError('ECONNRESET')).sentence).toMatch(/^The connection to SES broke \(ECONNRESET\) before it answered, so this message may or may not have arrived; it is not sent twice\./)
  })
})

describe('sendWithRetry', () => {
  /** A send that fails with the given errors, then answers `ok`. */
  const failing = (...errors: unknown[]) =>
    vi.fn(async (attempt: number) => {
      if (attempt <= errors.length) throw errors[attempt - 1]
      return 'ok'
    })
  const sleeps = () => {
    const slept: number[] = []
    return { slept, sleep: async (ms: number) => void slept.push(ms) }
  }

  it('retries throttling and transient errors with growing, jittered backoff', async () => {
    const send = failing(new TooManyRequestsException({ message: 'slow', ...meta(429) }), networkError('ECONNREFUSED'), new InternalServiceErrorException({ message: 'x', ...meta(500) }))
    const { slept, sleep } = sleeps()
    const random = vi.fn().mockReturnValueOnce(0).mockReturnValueOnce(0.5).mockReturnValueOnce(0.999)
    await expect(sendWithRetry(send, { attempts: 4, baseDelayMs: 100, sleep, random })).resolves.toBe('ok')
    expect(send).toHaveBeenCalledTimes(4)
    // Steps 100, 200, 400: half fixed, half random.
    expect(slept.map(Math.round)).toEqual([50, 150, 400])
  })

  it('caps the backoff', async () => {
    const throttled = () => new TooManyRequestsException({ message: 'slow', ...meta(429) })
    const { slept, sleep } = sleeps()
    await sendWithRetry(failing(throttled(), throttled(), throttled(), throttled()), { attempts: 5, baseDelayMs: 1000, maxDelayMs: 3000, sleep, random: () => 1 })
    expect(slept).toEqual([1000, 2000, 3000, 3000])
  })

  it('gives up after the last attempt, still retryable later', async () => {
    const throttled = () => new TooManyRequestsException({ message: 'slow', ...meta(429) })
    const send = failing(throttled(), throttled(), throttled())
    const { sleep } = sleeps()
    const error = await sendWithRetry(send, { attempts: 3, sleep }).catch((e: unknown) => e)
    expect(send).toHaveBeenCalledTimes(3)
    expect(error).toBeInstanceOf(SesSendError)
    expect(error).toMatchObject({ kind: 'throttled', retryable: true, attempts: 3, message: 'SES is sending at its maximum rate; the message will be retried.' })
  })

  it.each([
    ['MessageRejected', new MessageRejected({ message: 'Email address is not verified.', ...meta(400) }), false],
    ['AccountSuspendedException', new AccountSuspendedException({ message: 'x', ...meta(400) }), false],
    ['daily quota (later, not now)', new LimitExceededException({ message: 'Daily message quota exceeded', ...meta(400) }), true],
    ['a connection dropped after the request went out (SES may have sent it)', networkError('ECONNRESET'), false],
  ])('does not retry %s within the call', async (_label, failure, retryable) => {
    const send = failing(failure)
    const { slept, sleep } = sleeps()
    const error = await sendWithRetry(send, { sleep }).catch((e: unknown) => e)
    expect(send).toHaveBeenCalledTimes(1)
    expect(slept).toEqual([])
    expect(error).toMatchObject({ retryable, attempts: 1 })
    expect((error as SesSendError).cause).toBe(failure)
    // What gave up keeps its class for whoever handles the failure next.
    expect(classifySesError(error)).toEqual(classifySesError(failure))
  })

  it('takes a send slot before each retry', async () => {
    const order: string[] = []
    const send = vi.fn(async (attempt: number) => {
      order.push(`send ${attempt}`)
      if (attempt === 1) throw new TooManyRequestsException({ message: 'slow', ...meta(429) })
      return 'ok'
    })
    await sendWithRetry(send, {
      sleep: async () => void order.push('backoff'),
      beforeRetry: async (attempt) => void order.push(`slot for ${attempt}`),
    })
    expect(order).toEqual(['send 1', 'backoff', 'slot for 2', 'send 2'])
  })

  it('waits on timers by default (faked here)', async () => {
    vi.useFakeTimers()
    try {
      const send = failing(networkError('ETIMEDOUT'))
      const done = sendWithRetry(send, { baseDelayMs: 1000 })
      await vi.advanceTimersByTimeAsync(1000)
      await expect(done).resolves.toBe('ok')
    } finally {
      vi.useRealTimers()
    }
  })
})
