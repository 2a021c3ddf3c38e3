/**
 * Lambda handler for the inbound mail queue: SQS batches of S3 ObjectCreated notifications
 * from the mail bucket. Each stored message goes through the mail pipeline; only the
 * records that failed are reported, so SQS retries just those (and, after the
 * queue's maxReceiveCount, moves them to the dead-letter queue).
 */
import { objectKeysOf, type SQSEvent, type SQSBatchResponse } from './lambda-events'
import { processStoredMail } from '../services/inbound-mail'

export async function handleInboundMail(event: SQSEvent): Promise<SQSBatchResponse> {
  // Records are independent (one stored message each); messages about the same event are
  // serialised by the store's conditional writes, so the batch runs concurrently.
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      try {
        for (const { key } of objectKeysOf(record.body)) await processStoredMail(key)
        return null
      } catch (error) {
        console.error(`inbound mail: message ${record.messageId} failed and will be retried`, error)
        return { itemIdentifier: record.messageId }
      }
    }),
  )
  return { batchItemFailures: outcomes.filter((failure) => failure !== null) }
}
