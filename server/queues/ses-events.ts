/**
 * Lambda handler for the SES events queue: what SES reports about mail we sent (through the
 * configuration set's SNS event destination). Permanent bounces and complaints put the
 * address on the suppression list; everything else is logged with what it means. A record
 * that is not an SES notification is logged and dropped (retrying cannot make it readable);
 * a record whose write failed is reported, so SQS retries only that one.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { parseSesNotification, UnreadableSesNotification, type ParsedNotification } from '../domain/mail/ses-notification'
import { recordSesNotification } from '../services/suppression'
import { markInvitationUndeliverable } from '../services/send-worker'
import { logger, withTrace, type Logger } from '../log'

export interface SesEventsOptions {
  /** The logger to write to; each record's lines also carry its SQS message id and SES message id. */
  log?: Logger
}

export async function handleSesEvents(event: SQSEvent, options: SesEventsOptions = {}): Promise<SQSBatchResponse> {
  const failures = await Promise.all(
    event.Records.map(async (record) => {
      const recordLog = withTrace(options.log ?? logger, { sqsMessageId: record.messageId })
      const notification = read(record, recordLog)
      if (!notification) return null
      const log = withTrace(recordLog, { sesMessageId: notification.sesMessageId })
      try {
        const { suppressed } = await recordSesNotification(notification)
        const marked =
          suppressed.length && notification.sesMessageId ? await markInvitationUndeliverable(notification.sesMessageId, notification.description) : 0
        log.info('SES notification recorded', {
          notificationType: notification.type,
          description: notification.description,
          suppressed: suppressed.length ? suppressed : undefined,
          invitationsMarked: marked || undefined,
        })
        return null
      } catch (error) {
        log.error('SES notification not recorded; SQS will deliver it again', { notificationType: notification.type, error })
        return { itemIdentifier: record.messageId }
      }
    }),
  )
  return { batchItemFailures: failures.filter((failure) => failure !== null) }
}

function read(record: SQSRecord, log: Logger): ParsedNotification | null {
  const sent = Number(record.attributes.SentTimestamp)
  const receivedAt = Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : new Date().toISOString()
  try {
    return parseSesNotification(record.body, { receivedAt })
  } catch (error) {
    const excerpt = error instanceof UnreadableSesNotification ? error.excerpt : record.body.slice(0, 200)
    log.warn('SES events message is not an SES notification; dropped', { reason: (error as Error).message, excerpt })
    return null
  }
}
