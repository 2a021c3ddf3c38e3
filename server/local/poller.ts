/**
 * The local stand-in for a Lambda SQS event source mapping: long-polls a queue, hands
 * each batch to the handler as the Lambda-shaped SQSEvent, and deletes what the handler
 * reports done, with Lambda's partial-batch rules (ReportBatchItemFailures):
 *
 * - the handler returns nothing or `{ batchItemFailures: [] }`: every record is deleted;
 * - it lists failures: all other records are deleted, the listed ones stay and come back
 *   after the visibility timeout (and, after maxReceiveCount, go to the dead-letter queue);
 * - it throws, or lists an identifier that is not in the batch: nothing is deleted.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs'
import { clients } from '../aws/clients'
import { config } from '../config'
import { queueUrl, type QueueName } from '../aws/queue'
import type { SQSBatchResponse, SQSEvent, SQSRecord, SQSRecordAttributes } from 'aws-lambda'

export type SQSHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>

export interface QueuePollerOptions {
  queue: QueueName
  handler: SQSHandler
  /** Lambda's batch size (1-10). */
  batchSize?: number
  /**
   * Long-poll wait per receive. stop() waits for the receive in flight (aborting it would
   * let the local SQS hand the next message to a closed connection), so this is also the
   * longest stop() waits when idle.
   */
  waitSeconds?: number
  /**
   * Batches in flight at once, like the concurrent invocations Lambda's SQS event source
   * makes (it starts with five); each has its own receive loop. Default 1.
   */
  concurrency?: number
  /** Overrides the queue's visibility timeout for received messages (tests: retry fast). */
  visibilityTimeout?: number
  log?: (line: string) => void
}

export interface QueuePoller {
  /** Resolves when the poller has stopped and the batch in flight was handled. */
  stop(): Promise<void>
  /** Batches handed to the handler so far. */
  readonly batches: number
}

/** Lambda's record shape for one message attribute. */
function lambdaAttribute(value: MessageAttributeValue) {
  return {
    stringValue: value.StringValue,
    binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString('base64')),
    dataType: value.DataType ?? 'String',
  }
}

export function toSqsRecord(message: Message, eventSourceARN: string, awsRegion: string): SQSRecord {
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    // Asked for 'All', SQS returns every system attribute, the four Lambda's type requires among them.
    attributes: { ...message.Attributes } as SQSRecordAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, lambdaAttribute(value)]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion,
  }
}

/**
 * Which records to delete after the handler's answer, by Lambda's rules. Returns every
 * record, some of them, or none (the whole batch is retried).
 */
export function recordsToDelete(records: SQSRecord[], answer: SQSBatchResponse | void | null | undefined): SQSRecord[] {
  const failures = answer?.batchItemFailures ?? []
  const ids = new Set(records.map((record) => record.messageId))
  // Lambda treats an unknown or empty identifier as a failure of the whole batch.
  if (failures.some((failure) => !failure.itemIdentifier || !ids.has(failure.itemIdentifier))) return []
  const failed = new Set(failures.map((failure) => failure.itemIdentifier))
  return records.filter((record) => !failed.has(record.messageId))
}

export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const log = options.log ?? (() => {})
  const batchSize = Math.min(Math.max(options.batchSize ?? 10, 1), 10)
  const waitSeconds = options.waitSeconds ?? 2
  let running = true
  let batches = 0

  async function loop(): Promise<void> {
    const sqs = clients().sqs
    const url = await queueUrl(options.queue)
    const arnAnswer = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
    const eventSourceARN = arnAnswer.Attributes?.QueueArn ?? ''
    const region = config().region

    while (running) {
      let messages: Message[]
      try {
        const answer = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitSeconds,
            VisibilityTimeout: options.visibilityTimeout,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        )
        messages = answer.Messages ?? []
      } catch (error) {
        if (!running) break
        log(`poller ${options.queue}: receive failed (${error instanceof Error ? error.message : String(error)}); retrying`)
        await new Promise((resolve) => setTimeout(resolve, 1000))
        continue
      }
      // A batch received while stopping is still handled: it is already invisible in
      // the queue, and handling it is what a Lambda already invoked would do.
      if (messages.length === 0) continue
      const records = messages.map((message) => toSqsRecord(message, eventSourceARN, region))
      batches += 1
      let done: SQSRecord[]
      try {
        done = recordsToDelete(records, await options.handler({ Records: records }))
      } catch (error) {
        log(`poller ${options.queue}: handler threw (${error instanceof Error ? error.message : String(error)}); the batch will be retried`)
        done = []
      }
      const failed = records.length - done.length
      log(
        failed > 0
          ? `poller ${options.queue}: ${failed} of ${records.length} records failed and will be retried`
          : `poller ${options.queue}: handled ${records.length} record${records.length === 1 ? '' : 's'}`,
      )
      if (done.length > 0) {
        try {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
            }),
          )
        } catch (error) {
          // Not fatal: undeleted records come back, and the handlers are idempotent.
          log(`poller ${options.queue}: delete failed (${error instanceof Error ? error.message : String(error)})`)
        }
      }
    }
  }

  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () =>
    loop().catch((error: unknown) => {
      log(`poller ${options.queue}: stopped by an error: ${error instanceof Error ? error.message : String(error)}`)
    }),
  )
  const finished = Promise.all(loops).then(() => undefined)

  return {
    stop() {
      running = false
      return finished
    },
    get batches() {
      return batches
    },
  }
}
