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

export interface SesEventsOptions {
  log?: (line: string) => void
}

export async function handleSesEvents(event: SQSEvent, options: SesEventsOptions = {}): Promise<SQSBatchResponse> {
  const log = options.log ?? ((line: string) => console.log(line))
  const failures = await Promise.all(
    event.Records.map(async (record) => {
      const notification = read(record, log)
      if (!notification) return null
      try {
        const { suppressed } = await recordSesNotification(notification)
        const marked =
          suppressed.length && notification.sesMessageId ? await markInvitationUndeliverable(notification.sesMessageId, notification.description) : 0
        log(`ses events: ${notification.description}${suppressed.length ? ` Suppressed: ${suppressed.join(', ')}.` : ''}${marked ? ` Marked ${marked} invitation(s).` : ''}`)
        return null
      } catch (error) {
        log(`ses events: message ${record.messageId} could not be recorded and will be retried: ${(error as Error).message}`)
        return { itemIdentifier: record.messageId }
      }
    }),
  )
  return { batchItemFailures: failures.filter((failure) => failure !== null) }
}

function read(record: SQSRecord, log: (line: string) => void): ParsedNotification | null {
  const sent = Number(record.attributes.SentTimestamp)
  const receivedAt = Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : new Date().toISOString()
  try {
    return parseSesNotification(record.body, { receivedAt })
  } catch (error) {
    const excerpt = error instanceof UnreadableSesNotification ? error.excerpt : record.body.slice(0, 200)
    log(`ses events: message ${record.messageId} is dropped: ${(error as Error).message} ${JSON.stringify(excerpt)}`)
    return null
  }
}
