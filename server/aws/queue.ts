/**
 * SQS access. Configuration may name a queue or give its URL; names are resolved once.
 */
import {
  GetQueueUrlCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  type Message,
} from '@aws-sdk/client-sqs'
import { clients } from './clients'
import { config } from '../config'

export type QueueName = keyof ReturnType<typeof config>['queues']

const urls = new Map<string, Promise<string>>()

export function queueUrl(queue: QueueName): Promise<string> {
  const nameOrUrl = config().queues[queue]
  if (/^https?:\/\//.test(nameOrUrl)) return Promise.resolve(nameOrUrl)
  let url = urls.get(nameOrUrl)
  if (!url) {
    url = clients()
      .sqs.send(new GetQueueUrlCommand({ QueueName: nameOrUrl }))
      .then((answer) => answer.QueueUrl!)
    url.catch(() => urls.delete(nameOrUrl))
    urls.set(nameOrUrl, url)
  }
  return url
}

export function resetQueueUrls() {
  urls.clear()
}

export async function sendToQueue(queue: QueueName, body: unknown, delaySeconds?: number): Promise<void> {
  await clients().sqs.send(
    new SendMessageCommand({
      QueueUrl: await queueUrl(queue),
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      DelaySeconds: delaySeconds === undefined ? undefined : Math.round(delaySeconds),
    }),
  )
}

/** Sends many messages, ten per request (SQS's limit); throws if any entry failed. */
export async function sendBatchToQueue(queue: QueueName, bodies: unknown[]): Promise<void> {
  const url = await queueUrl(queue)
  const requests = []
  for (let index = 0; index < bodies.length; index += 10) {
    const entries = bodies.slice(index, index + 10).map((body, offset) => ({
      Id: String(offset),
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
    }))
    requests.push(
      clients()
        .sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }))
        .then((answer) => {
          const failed = answer.Failed ?? []
          if (failed.length) throw new Error(`SQS refused ${failed.length} of ${entries.length} messages: ${failed[0]!.Message ?? failed[0]!.Code}`)
        }),
    )
  }
  await Promise.all(requests)
}

/** Hides a received message for `seconds` more: a retry with backoff instead of the queue's fixed timeout. */
export async function delayRetry(queue: QueueName, receiptHandle: string, seconds: number): Promise<void> {
  await clients().sqs.send(
    new ChangeMessageVisibilityCommand({ QueueUrl: await queueUrl(queue), ReceiptHandle: receiptHandle, VisibilityTimeout: Math.round(seconds) }),
  )
}

/** One long-poll receive of up to `max` messages. */
export async function receiveFromQueue(queue: QueueName, max = 10, waitSeconds = 1): Promise<Message[]> {
  const answer = await clients().sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: await queueUrl(queue),
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
    }),
  )
  return answer.Messages ?? []
}

export async function deleteFromQueue(queue: QueueName, messages: Message[]): Promise<void> {
  if (messages.length === 0) return
  await clients().sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: await queueUrl(queue),
      Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
    }),
  )
}
