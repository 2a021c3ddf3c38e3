/**
 * The mailer: sends complete MIME messages through SES v2 (`Content.Raw`), so calendar
 * invitations keep the exact structure Gmail, Outlook and Apple need.
 */
import { SendEmailCommand } from '@aws-sdk/client-sesv2'
import { clients } from './clients'
import { config } from '../config'
import { sendRateLimiter, type SendRateLimiter } from './send-rate'
import { sendWithRetry } from './ses-retry'

export interface RawMail {
  from: string
  to: string[]
  raw: Uint8Array | string
}

/** Sends one raw message; returns the SES message id. */
export async function sendRawMail(mail: RawMail): Promise<string> {
  const data = typeof mail.raw === 'string' ? new TextEncoder().encode(mail.raw) : mail.raw
  const answer = await clients().ses.send(
    new SendEmailCommand({
      FromEmailAddress: mail.from,
      Destination: { ToAddresses: mail.to },
      Content: { Raw: { Data: data } },
      // Its event destination reports bounces and complaints to the SES events queue.
      ConfigurationSetName: config().sesConfigurationSet ?? undefined,
    }),
  )
  return answer.MessageId ?? ''
}

let processLimiter: SendRateLimiter | undefined
/** Smoothed time an idempotency claim takes (ms), to start it that far ahead of the slot. */
let claimMs = 10

/**
 * Sends within the account's SES send rate, shared with every other worker: each attempt
 * takes a slot of the limiter; throttling and transient errors are retried with backoff.
 * All mail the server writes goes this way, so notifications count against the rate too.
 */
export async function sendRawMailWithinRate(
  mail: RawMail,
  limiter?: SendRateLimiter,
  /** Runs once, when the first attempt has its slot, just before SES is called (an idempotency claim). */
  beforeFirstSend?: () => Promise<void>,
): Promise<string> {
  const slots = limiter ?? (processLimiter ??= sendRateLimiter())
  if (beforeFirstSend) {
    // The claim is made just ahead of the slot, so the send starts on time and the claim is
    // held only for about one round trip before SES is called.
    let slot = await slots.nextSlot()
    const lead = Math.min(200, 2 * claimMs + 5)
    if (slot - lead > Date.now()) await new Promise((resolve) => setTimeout(resolve, slot - lead - Date.now()))
    const started = Date.now()
    // Outside the retries: a failed claim is not an SES error and must reach the caller as it is.
    await beforeFirstSend()
    claimMs = 0.8 * claimMs + 0.2 * (Date.now() - started)
    // A late claim makes the slot lapse: take the next one.
    while (!(await slots.waitFor(slot))) slot = await slots.nextSlot()
  } else {
    await slots.acquire()
  }
  let first = true
  return sendWithRetry(async () => {
    if (!first) await slots.acquire()
    first = false
    return sendRawMail(mail)
  })
}
