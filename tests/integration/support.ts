/** Helpers for integration tests against the local stack the global setup started. */
import { expect } from 'vitest'
import { randomUUID } from 'node:crypto'
import { CreateTableCommand } from '@aws-sdk/client-dynamodb'
import { createTableInput } from '../../server/aws/table'
import { clients } from '../../server/aws/clients'
import { resetConfig, config } from '../../server/config'
import { putRawMail } from '../../server/aws/mail-store'
import { receivedAsSes, type ReceiptVerdicts } from '../../server/local/smtp-receiver'
import { sesReceiptOf, type SesReceipt } from '../../server/domain/mail/receipt'
import { processStoredMail } from '../../server/services/inbound-mail'
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import { deleteFromQueue, receiveFromQueue, resetQueueUrls } from '../../server/aws/queue'
import { recordsToDelete, toSqsRecord, type SQSHandler } from '../../server/local/poller'
import { createSendHandler } from '../../server/queues/send'
import type { SQSRecord } from 'aws-lambda'

/** One SQS record as Lambda passes it, for calling a queue handler directly. */
export function sqsRecord(messageId: string, body: string, eventSourceARN = 'arn'): SQSRecord {
  const now = String(Date.now())
  return {
    messageId,
    receiptHandle: messageId,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: 'us-east-1',
  }
}

/**
 * A new, empty table for the calling test file: the corpus reuses UIDs across files,
 * so each file gets its own table in the one DynamoDB Local.
 */
export async function useFreshTable(): Promise<string> {
  const name = `cis-test-${randomUUID().slice(0, 8)}`
  await clients().dynamodb.send(new CreateTableCommand(createTableInput(name)))
  process.env.CIS_TABLE = name
  resetConfig()
  return name
}

/** A message as SES received it from `from` (envelope sender), verdicts PASS unless given. */
export interface ReceivedMessage {
  raw: Buffer | string
  from: string
  verdicts: Partial<ReceiptVerdicts>
}

export const received = (raw: Buffer | string, from: string, verdicts: Partial<ReceiptVerdicts> = {}): ReceivedMessage => ({ raw, from, verdicts })

/**
 * Stores a message as the receipt rule would and runs the pipeline on it with SES's receipt
 * notification; a bare message (no `received`) arrives with no receipt, like a bucket event.
 */
export async function deliver(mailbox: 'create' | 'rsvp' | 'bulk', message: Buffer | string | ReceivedMessage) {
  const key = `${mailbox}/${randomUUID()}`
  return await processStoredMail(key, { receipt: await storeReceived(key, message) })
}

/** Stores a message under `key` as the receipt rule would; returns its receipt (null for a bare message). */
export async function storeReceived(key: string, message: Buffer | string | ReceivedMessage): Promise<SesReceipt | null> {
  if (typeof message === 'string' || Buffer.isBuffer(message)) {
    await putRawMail(key, message)
    return null
  }
  const mailbox = key.slice(0, key.indexOf('/')) as 'create' | 'rsvp' | 'bulk'
  const { stored, notification } = receivedAsSes(message.raw, message.from, config().mailboxes[mailbox] ?? config().mailboxes.create, key, config().mailBucket, message.verdicts)
  await putRawMail(key, stored)
  return sesReceiptOf(JSON.stringify(notification))
}

export const mailbox = (name: 'create' | 'rsvp' | 'bulk') => config().mailboxes[name]

/** Mail the local SES received since `since` (epoch seconds), via aws-ses-v2-local's store API. */
export async function sentMail(since: number): Promise<{ subject: string; destination: { to: string[] }; body: { text?: string } }[]> {
  const response = await fetch(`${config().endpoints.ses}/store?since=${since}`)
  const store = (await response.json()) as { emails: { subject: string; destination: { to: string[] }; body: { text?: string } }[] }
  return store.emails
}

/** A minimal iMIP message around calendar lines (CRLF), from `from`. */
export function imip(from: string, to: string, method: string, lines: string[]): string {
  const calendar = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//CIS tests//EN', `METHOD:${method}`, ...lines, 'END:VCALENDAR'].join('\r\n')
  return [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: ${method} test`,
    `Message-ID: <${randomUUID()}@tests.local>`,
    'MIME-Version: 1.0',
    `Content-Type: text/calendar; charset=UTF-8; method=${method}`,
    '',
    calendar,
    '',
  ].join('\r\n')
}

/**
 * A send queue (and dead-letter queue) of the calling test file's own, so the jobs it
 * queues are the ones it runs: other files share the stack and queue jobs too.
 */
export async function useFreshSendQueue(maxAttempts = 3): Promise<string> {
  const name = `cis-send-test-${randomUUID().slice(0, 8)}`
  const sqs = clients().sqs
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!
  await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { VisibilityTimeout: '5', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: maxAttempts }) },
    }),
  )
  process.env.CIS_SEND_QUEUE = name
  process.env.CIS_SEND_MAX_ATTEMPTS = String(maxAttempts)
  resetConfig()
  resetQueueUrls()
  return name
}

/**
 * Plays the send function's event source mapping until the queue stays empty: receive a
 * batch, hand it to the handler as Lambda would, delete what it did not report failed.
 * Returns how many batches ran.
 */
export async function runSendQueue(
  handler: SQSHandler = createSendHandler({ backoffSeconds: 0 }),
  options: { idleRounds?: number; maxBatches?: number } = {},
): Promise<number> {
  let idle = 0
  let batches = 0
  while (idle < (options.idleRounds ?? 2) && batches < (options.maxBatches ?? 1000)) {
    const messages = await receiveFromQueue('send', 10, 0)
    if (!messages.length) {
      idle++
      continue
    }
    idle = 0
    batches++
    const records = messages.map((message) => toSqsRecord(message, `arn:aws:sqs:${config().region}:000000000000:${config().queues.send}`, config().region))
    const done = recordsToDelete(records, await handler({ Records: records }))
    const doneIds = new Set(done.map((record) => record.messageId))
    await deleteFromQueue('send', messages.filter((message) => doneIds.has(message.MessageId!)))
  }
  return batches
}

export interface RawSentMessage {
  messageId: string
  at: number
  from: string
  to: string[]
  raw: Buffer
}

/** Every raw message the local SES accepted since `sinceMs`, byte for byte (server/local/ses-front.ts). */
export async function rawSentMail(sinceMs: number, to?: string): Promise<RawSentMessage[]> {
  const ses = config().endpoints.ses
  const { messages } = (await (await fetch(`${ses}/raw/messages?since=${sinceMs}`)).json()) as { messages: Omit<RawSentMessage, 'raw'>[] }
  const wanted = to ? messages.filter((m) => m.to.some((address) => address.toLowerCase() === to.toLowerCase())) : messages
  return Promise.all(
    wanted.map(async (m) => ({ ...m, raw: Buffer.from(await (await fetch(`${ses}/raw/message?messageId=${encodeURIComponent(m.messageId)}`)).arrayBuffer()) })),
  )
}

/** An organizer's verified invitation (a single event in January 2027) mailed to create@, which creates the event. */
export async function organizerCreatesEvent(uid: string, organizer: string, name = 'Organizer', summary = 'Launch') {
  const raw = imip(organizer, mailbox('create'), 'REQUEST', [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'SEQUENCE:0',
    'DTSTAMP:20261120T100000Z',
    'DTSTART:20270115T090000Z',
    'DTEND:20270115T100000Z',
    `SUMMARY:${summary}`,
    `ORGANIZER;CN=${name}:mailto:${organizer}`,
    'END:VEVENT',
  ])
  expect(await deliver('create', received(raw, organizer))).toMatchObject({ outcome: 'created' })
}
