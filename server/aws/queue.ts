/**
 * SQS access. Configuration may name a queue or give its URL; names are resolved once.
 */
import {
  GetQueueUrlCommand,
  SendMessageCommand,
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

export async function sendToQueue(queue: QueueName, body: unknown): Promise<void> {
  await clients().sqs.send(
    new SendMessageCommand({
      QueueUrl: await queueUrl(queue),
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
    }),
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
