/**
 * The inbound mail pipeline around one stored message (an S3 key): idempotent per key
 * (SQS delivers at least once), every message logged with its outcome, nothing lost. A
 * failure of storage is logged as `failed` and rethrown so the queue retries it (and,
 * after maxReceiveCount, keeps it in the dead-letter queue); `cis replay` reprocesses.
 */
import { $remove, EntityRepository } from 'dynamodb-toolbox'
import { MailLogEntity, isConditionFailure, type MailOutcome } from '../aws/table'
import { getRawMail } from '../aws/mail-store'
import { config } from '../config'
import type { ReceiptVerdicts, SesReceipt, VerdictStatus } from '../domain/mail/receipt'
import { logger, withTrace, type Logger } from '../log'
import { ingestMessage, type IngestOutcome } from './ingest'
import { eventUrl, notificationJob } from './notifications'
import { enqueueSendJobs, readSendJob, type SendJob } from './send-jobs'

const mailLog = MailLogEntity.build(EntityRepository)

/** The mailbox a key belongs to: the receipt rule stores mail under `<mailbox>/`. */
export function mailboxOfKey(key: string): string {
  return key.includes('/') ? key.slice(0, key.indexOf('/')) : ''
}

/**
 * Whether `key` is the test object SES writes under a receipt rule's key prefix when the
 * rule is created (`<prefix>AMAZON_SES_SETUP_NOTIFICATION`, announced on the rule's topic
 * like any stored message): a notice from AWS to nobody, not mail anyone sent.
 */
export const isSesSetupObject = (key: string) => key.slice(key.lastIndexOf('/') + 1) === 'AMAZON_SES_SETUP_NOTIFICATION'

export interface ProcessedMail {
  key: string
  outcome: MailOutcome
  reason?: string
  uid?: string
  /** True when an earlier delivery already processed this key and nothing was done now. */
  repeated: boolean
}

const FINAL: MailOutcome[] = ['created', 'updated', 'cancelled', 'reply', 'refreshed', 'list', 'ignored', 'rejected']

/** What a mail log entry keeps of a receipt, and the receipt read back from it. */
type StoredReceipt = { source: string; from: string[] } & Record<keyof ReceiptVerdicts, string>
const storedReceipt = (receipt: SesReceipt | null): StoredReceipt | undefined =>
  receipt ? { source: receipt.source, from: receipt.from, ...receipt.verdicts } : undefined
const receiptFromLog = (stored: StoredReceipt | undefined): Pick<SesReceipt, 'source' | 'from' | 'verdicts'> | null =>
  stored
    ? {
        source: stored.source,
        from: stored.from,
        verdicts: { spf: stored.spf, dkim: stored.dkim, dmarc: stored.dmarc, spam: stored.spam, virus: stored.virus } as Record<keyof ReceiptVerdicts, VerdictStatus>,
      }
    : null

export interface ProcessOptions {
  replay?: boolean
  receipt?: SesReceipt | null
  /** The logger to write to (the queue handler's carries the SQS message id); every line also carries the S3 key. */
  log?: Logger
}

/**
 * Processes one stored message. `receipt` is SES's receipt notification for it, which
 * alone can verify the sender; without it (a replay, an S3 event) the receipt the mail
 * log kept from the first delivery counts, and with neither the sender is unverified.
 */
export async function processStoredMail(key: string, options: ProcessOptions = {}): Promise<ProcessedMail> {
  const log = withTrace(options.log ?? logger, { s3Key: key })
  // Both reads at once: a redelivery is rare, and the raw message is needed otherwise.
  const [{ Item: previous }, raw] = await Promise.all([mailLog.get({ key }, { consistent: true }), getRawMail(key)])
  if (previous && FINAL.includes(previous.outcome) && !options.replay) {
    const pending = previous.pendingNotification ? readSendJob(previous.pendingNotification) : null
    if (pending) await queuePendingNotification(key, pending, log)
    log.info('inbound message already processed; nothing done', { outcome: previous.outcome, eventUid: previous.eventUid, notificationQueued: Boolean(pending) })
    return { key, outcome: previous.outcome, reason: previous.reason, uid: previous.eventUid, repeated: true }
  }
  const mailbox = mailboxOfKey(key)
  const receivedAt = previous?.receivedAt ?? new Date().toISOString()
  const attempts = (previous?.attempts ?? 0) + 1
  const receipt = options.receipt ? { ...options.receipt } : receiptFromLog(previous?.receipt as StoredReceipt | undefined)
  const kept = storedReceipt(options.receipt ?? null) ?? (previous?.receipt as StoredReceipt | undefined)

  if (!raw) {
    const reason = 'The stored message is missing from the mail bucket.'
    await mailLog.put({ key, mailbox, receivedAt, attempts, outcome: 'failed', reason, receipt: kept })
    log.error('inbound message missing from the mail bucket', { mailbox, outcome: 'failed', attempts })
    return { key, outcome: 'failed', reason, repeated: false }
  }

  let result: IngestOutcome
  try {
    result = await ingestMessage(raw, { mailbox, mailKey: key, receivedAt, receipt })
  } catch (error) {
    // Kept visible while the queue retries; the raw message stays in S3.
    await mailLog
      .put({ key, mailbox, receivedAt, attempts, outcome: 'failed', reason: `Processing failed and will be retried: ${(error as Error).message}`, receipt: kept })
      .catch(() => undefined)
    throw error
  }

  // Two deliveries of one key can run at once (SQS is at-least-once): the first to log a
  // final outcome wins, so the log keeps "created" rather than the loser's "already applied",
  // and only the winner notifies anyone.
  const notification = notificationFor(key, mailbox, result)
  try {
    await mailLog.put(
      {
        key,
        mailbox,
        receivedAt,
        attempts,
        outcome: result.outcome,
        reason: result.reason,
        sender: result.sender,
        subject: result.subject,
        eventUid: result.uid,
        method: result.method,
        senderVerified: result.senderVerified,
        warnings: result.warnings,
        listIds: result.listIds,
        receipt: kept,
        pendingNotification: notification ? JSON.stringify(notification) : undefined,
      },
      options.replay
        ? undefined
        : { condition: { or: [{ attr: 'key', exists: false }, { attr: 'outcome', in: ['received', 'failed'] }] } },
    )
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    const { Item: winner } = await mailLog.get({ key }, { consistent: true })
    log.info('inbound message processed by another delivery at the same time', { outcome: winner!.outcome, eventUid: winner!.eventUid })
    return { key, outcome: winner!.outcome, reason: winner!.reason, uid: winner!.eventUid, repeated: true }
  }
  log.info('inbound message processed', {
    mailbox,
    outcome: result.outcome,
    reason: result.reason,
    eventUid: result.uid,
    organizer: result.organizer,
    sender: result.sender,
    senderVerified: result.senderVerified,
    method: result.method,
    attempts,
    replay: options.replay,
  })
  if (notification) await queuePendingNotification(key, notification, log)
  return { key, outcome: result.outcome, reason: result.reason, uid: result.uid, repeated: false }
}

/** What the reader could not be sure of (an unknown time zone…), for the organizer to check. */
const warningsParagraph = (warnings: string[]) =>
  warnings.length ? `\nPlease check:\n${warnings.map((w) => `- ${w}`).join('\n')}\n` : ''

/**
 * Queues the notification the mail log holds as pending, then clears it. When the send queue
 * cannot take it, the error goes to SQS, which delivers the message again: that delivery
 * finds the outcome logged and queues the notification then (the send worker sends a
 * notification once per message and template, so queueing it twice sends it once).
 */
async function queuePendingNotification(key: string, job: SendJob, log: Logger): Promise<void> {
  try {
    await enqueueSendJobs([job])
  } catch (error) {
    log.warn('notification about the inbound message not queued; it stays pending for the next delivery', { error })
    throw error
  }
  await mailLog.update({ key, pendingNotification: $remove() })
}

/** Tell people about their own messages: never anyone unverified, never about bounces or loops. */
function notificationFor(key: string, mailbox: string, result: IngestOutcome): SendJob | null {
  if (!result.senderVerified || !result.sender) return null
  const cfg = config()
  const mailboxAddress = cfg.mailboxes[mailbox as keyof typeof cfg.mailboxes] ?? mailbox
  if (result.outcome === 'rejected') {
    return notificationJob(
      key,
      mailbox === 'bulk' ? 'bulkRefused' : 'messageNotProcessed',
      result.sender,
      { subject: result.subject, mailbox: mailboxAddress, reason: result.reason, reference: key },
      result.messageId,
    )
  }
  if (cfg.notifyOrganizer && (result.outcome === 'created' || result.outcome === 'updated') && result.uid) {
    return notificationJob(
      key,
      result.outcome === 'created' ? 'eventCreated' : 'eventUpdated',
      result.sender,
      {
        summary: result.event?.summary || result.subject,
        organizerName: result.event?.organizerName || result.sender,
        mailbox: mailboxAddress,
        start: result.event?.start ?? '',
        reason: result.reason,
        warnings: warningsParagraph(result.warnings),
        eventUrl: eventUrl(result.uid),
      },
      result.messageId,
    )
  }
  return null
}
