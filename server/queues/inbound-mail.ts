/**
 * Lambda handler for the inbound mail queue: SQS batches of the receipt notifications SES
 * publishes (through SNS) for each message its receipt rule stores in the mail bucket. The
 * notification names the stored object and carries SES's verdicts, the only ground for
 * trusting a sender. Each stored message goes through the mail pipeline; only the records
 * that failed are reported, so SQS retries just those (and, after the queue's
 * maxReceiveCount, moves them to the dead-letter queue). A bare S3 ObjectCreated event
 * (the bucket's own notification) is still processed, with no verdicts: its sender stays
 * unverified.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { objectKeysOf } from './lambda-events'
import { sesReceiptOf } from '../domain/mail/receipt'
import { processStoredMail } from '../services/inbound-mail'

export async function handleInboundMail(event: SQSEvent): Promise<SQSBatchResponse> {
  // Records are independent (one stored message each); messages about the same event are
  // serialised by the store's conditional writes, so the batch runs concurrently.
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      try {
        const receipt = sesReceiptOf(record.body)
        if (receipt) await processStoredMail(receipt.objectKey, { receipt })
        else for (const { key } of objectKeysOf(record.body)) await processStoredMail(key)
        return null
      } catch (error) {
        console.error(`inbound mail: message ${record.messageId} failed and will be retried`, error)
        return { itemIdentifier: record.messageId }
      }
    }),
  )
  return { batchItemFailures: outcomes.filter((failure) => failure !== null) }
}
