/**
 * Lambda handler for the inbound mail queue: SQS batches of the receipt notifications SES
 * publishes (through SNS) for each message its receipt rule stores in the mail bucket. The
 * notification names the stored object and carries SES's verdicts, the only ground for
 * trusting a sender. Each stored message goes through the mail pipeline; only the records
 * that failed are reported, so SQS retries just those (and, after the queue's
 * maxReceiveCount, moves them to the dead-letter queue). A bare S3 ObjectCreated event
 * (the bucket's own notification) is still processed, with no verdicts: its sender stays
 * unverified. The test object SES stores when a receipt rule is created is skipped: it is
 * neither retried nor logged as a mail the server refused.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { objectKeysOf } from './lambda-events'
import { sesReceiptOf } from '../domain/mail/receipt'
import { isSesSetupObject, processStoredMail } from '../services/inbound-mail'
import { logger, withTrace, type Logger } from '../log'

export interface InboundMailOptions {
  /** The logger to write to; each record's lines also carry its SQS message id and S3 key. */
  log?: Logger
}

export async function handleInboundMail(event: SQSEvent, options: InboundMailOptions = {}): Promise<SQSBatchResponse> {
  // Records are independent (one stored message each); messages about the same event are
  // serialised by the store's conditional writes, so the batch runs concurrently.
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      const log = withTrace(options.log ?? logger, { sqsMessageId: record.messageId })
      let s3Key: string | undefined
      try {
        const receipt = sesReceiptOf(record.body)
        const stored = receipt ? [{ key: receipt.objectKey, receipt }] : objectKeysOf(record.body).map(({ key }) => ({ key, receipt: null }))
        for (const message of stored) {
          s3Key = message.key
          if (isSesSetupObject(message.key)) {
            log.info('SES receipt rule setup notification; nothing to do', { s3Key })
            continue
          }
          await processStoredMail(message.key, { receipt: message.receipt, log })
        }
        return null
      } catch (error) {
        log.error('inbound message failed; SQS will deliver it again', { s3Key, error })
        return { itemIdentifier: record.messageId }
      }
    }),
  )
  return { batchItemFailures: outcomes.filter((failure) => failure !== null) }
}
