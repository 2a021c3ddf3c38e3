/**
 * The local stack through the real protocols: the AWS SDK against DynamoDB Local, s3rver,
 * fauxqs and aws-ses-v2-local; SMTP (nodemailer) against the receiver; the queue poller
 * against fauxqs. The stack is the one tests/setup/local-stack.global.ts started.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import nodemailer from 'nodemailer'
import PostalMime from 'postal-mime'
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs'
import { config } from '../../server/config'
import { clients, createClients } from '../../server/aws/clients'
import { getRawMail } from '../../server/aws/mail-store'
import { sendRawMail } from '../../server/aws/mailer'
import { deleteFromQueue, queueUrl, receiveFromQueue, type QueueName } from '../../server/aws/queue'
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { isSenderVerified, sesReceiptOf, type SesReceipt } from '../../server/domain/mail/receipt'
import { startLocalStack } from '../../server/local/stack'
import { recordsToDelete, startQueuePoller, toSqsRecord } from '../../server/local/poller'
import { EntityRepository } from 'dynamodb-toolbox'
import { MailLogEntity } from '../../server/aws/table'
import { handleInboundMail } from '../../server/queues/inbound-mail'
import { imip, useFreshTable } from './support'

const env = () => process.env as Record<string, string>
const md5 = (data: Uint8Array | string) => createHash('md5').update(data).digest('hex')
const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const purge = async (queue: QueueName) => clients().sqs.send(new PurgeQueueCommand({ QueueUrl: await queueUrl(queue) }))

/** A plain CRLF message, so the bytes SMTP carries are exactly these. */
function rawMail(options: { from?: string; to?: string; subject?: string; extraHeaders?: string[] } = {}): string {
  const from = options.from ?? 'alice@example.com'
  return [
    `From: Alice Example <${from}>`,
    `To: ${options.to ?? 'create@events.localhost'}`,
    `Subject: ${options.subject ?? 'Local stack test'}`,
    `Message-ID: <${md5(String(Math.random()))}@example.com>`,
    'Date: Mon, 01 Mar 2027 10:00:00 +0000',
    ...(options.extraHeaders ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello from the test.',
    '.leading dot survives dot-stuffing',
    '',
  ].join('\r\n')
}

/** Sends over SMTP to the local receiver; returns the SES message id from the 250 reply. */
async function smtpSend(raw: string, envelope: { from: string; to: string[] }, helo?: string): Promise<string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(env().CIS_LOCAL_SMTP_PORT),
    secure: false,
    ignoreTLS: true,
    ...(helo ? { name: helo } : {}),
  })
  try {
    const info = await transport.sendMail({ envelope, raw })
    const id = /Ok ([0-9a-v]{40})/.exec(info.response)?.[1]
    if (!id) throw new Error(`unexpected SMTP reply: ${info.response}`)
    return id
  } finally {
    transport.close()
  }
}

/**
 * Receives the inbound queue until the notifications for all `keys` showed up; deletes
 * them and makes any other message visible again at once.
 */
async function takeNotifications(...keys: string[]): Promise<{ body: Record<string, unknown>; receipt: SesReceipt }[]> {
  const found = new Map<string, { body: Record<string, unknown>; receipt: SesReceipt }>()
  const deadline = Date.now() + 5000
  while (found.size < keys.length && Date.now() < deadline) {
    const messages = await receiveFromQueue('inbound', 10, 1)
    const mine = messages.filter((message) => keys.includes(sesReceiptOf(message.Body!)?.objectKey ?? ''))
    for (const message of mine) {
      const receipt = sesReceiptOf(message.Body!)!
      found.set(receipt.objectKey, { body: JSON.parse(message.Body!) as Record<string, unknown>, receipt })
    }
    await deleteFromQueue('inbound', mine)
    const others = messages.filter((message) => !mine.includes(message))
    for (const message of others) {
      await clients().sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: await queueUrl('inbound'), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 }),
      )
    }
  }
  const missing = keys.filter((key) => !found.has(key))
  if (missing.length > 0) throw new Error(`no notification for ${missing.join(', ')} on the inbound queue`)
  return keys.map((key) => found.get(key)!)
}

describe('DynamoDB Local', () => {
  it('creates the table and stores and reads an item', async () => {
    const item = { pk: 'TEST#local-stack', sk: 'ITEM', note: 'hello', count: 3, tags: ['a', 'b'] }
    await clients().documents.send(new PutCommand({ TableName: config().tableName, Item: item }))
    const read = await clients().documents.send(new GetCommand({ TableName: config().tableName, Key: { pk: item.pk, sk: item.sk } }))
    expect(read.Item).toEqual(item)
  })
})

describe('S3 (s3rver)', () => {
  it('keeps binary objects byte for byte, from a buffer and from a stream', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 31 + (i >> 8)) & 0xff)
    const bucket = config().mailBucket
    await clients().s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'test/binary.bin', Body: bytes }))
    // A streamed upload is what s3rver corrupts when the SDK adds flexible checksums.
    await clients().s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'test/streamed.bin', Body: Readable.from([Buffer.from(bytes)]), ContentLength: bytes.length }),
    )
    for (const key of ['test/binary.bin', 'test/streamed.bin']) {
      const object = await clients().s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      const read = await object.Body!.transformToByteArray()
      expect(md5(read), key).toBe(md5(bytes))
      expect(read.length).toBe(bytes.length)
    }
  })
})

describe('SES (aws-ses-v2-local)', () => {
  it('accepts a raw SendEmail and shows it in its store', async () => {
    const since = Math.floor(Date.now() / 1000)
    const subject = `Invitation ${md5(String(Date.now())).slice(0, 8)}`
    const raw = rawMail({ from: 'noreply@events.localhost', to: 'bob@example.org', subject })
    const messageId = await sendRawMail({ from: 'noreply@events.localhost', to: ['bob@example.org'], raw })
    expect(messageId).toBeTruthy()

    const response = await fetch(`${env().CIS_SES_ENDPOINT}/store?since=${since}`)
    const store = (await response.json()) as { emails: { messageId: string; subject: string; destination: { to: string[] } }[] }
    const sent = store.emails.find((email) => email.messageId === messageId)
    expect(sent?.subject).toBe(subject)
    expect(sent?.destination.to.join()).toContain('bob@example.org')
  })
})

describe('inbound SMTP receiver (the SES receipt rule)', () => {
  it('stores mail for create@ under create/ with the SES receipt headers prepended and notifies the queue', async () => {
    const raw = rawMail()
    const id = await smtpSend(raw, { from: 'alice@example.com', to: ['Create@Events.Localhost'] })
    const key = `create/${id}`

    const stored = Buffer.from((await getRawMail(key))!)
    const text = stored.toString('latin1')
    // The received bytes follow the prepended block unchanged.
    expect(stored.subarray(stored.length - Buffer.byteLength(raw)).toString('latin1')).toBe(raw)
    const added = text.slice(0, text.length - raw.length)
    expect(added).toMatch(/^Return-Path: <alice@example\.com>\r\n/)
    // smtp-server lower-cases the domain of RCPT TO; the local part keeps its case.
    expect(added).toMatch(new RegExp(`\\r\\nReceived: from \\S+ \\(localhost \\[127\\.0\\.0\\.1\\]\\)\\r\\n by inbound-smtp\\.local with SMTP id ${id}\\r\\n for Create@events\\.localhost;\\r\\n `))
    expect(added).toContain('X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n')
    expect(added).toMatch(/Received-SPF: pass \(spfCheck: domain of example\.com designates 127\.0\.0\.1 as permitted sender\) client-ip=127\.0\.0\.1; envelope-from=alice@example\.com; helo=[^;]+;\r\n/)
    expect(added).toContain('Authentication-Results: amazonses.com;\r\n spf=pass (spfCheck:')
    expect(added).toContain(' dkim=pass header.i=@example.com;\r\n dmarc=pass header.from=example.com;\r\n')
    expect(added).toMatch(/X-SES-RECEIPT: [A-Za-z0-9+/=]+\r\n$/)

    // The receipt notification SES publishes for the S3 action, as SNS delivers it raw:
    // the stored object and the verdicts, which verify the sender.
    const { body, receipt } = (await takeNotifications(key))[0]!
    expect(body).toMatchObject({
      notificationType: 'Received',
      mail: { source: 'alice@example.com', messageId: id, destination: ['Create@events.localhost'], commonHeaders: { from: ['Alice Example <alice@example.com>'] } },
      receipt: {
        spfVerdict: { status: 'PASS' }, dkimVerdict: { status: 'PASS' }, dmarcVerdict: { status: 'PASS' }, spamVerdict: { status: 'PASS' }, virusVerdict: { status: 'PASS' },
        action: { type: 'S3', bucketName: config().mailBucket, objectKeyPrefix: 'create/', objectKey: key },
      },
    })
    expect(isSenderVerified(receipt, 'alice@example.com')).toBe(true)
  })

  it('stores one copy per mailbox, under each mailbox prefix', async () => {
    const id = await smtpSend(rawMail({ to: 'rsvp@events.localhost, bulk@events.localhost' }), {
      from: 'alice@example.com',
      to: ['rsvp@events.localhost', 'bulk@events.localhost', 'RSVP@events.localhost'],
    })
    const keys = [`rsvp/${id}`, `bulk/${id}`]
    for (const key of keys) expect(await getRawMail(key), key).toBeDefined()
    await takeNotifications(...keys)
  })

  it('refuses recipients other than the three mailboxes of the mail domain', async () => {
    for (const to of ['someone@events.localhost', 'create@elsewhere.example']) {
      const error = await smtpSend(rawMail({ to }), { from: 'alice@example.com', to: [to] }).catch((e: unknown) => e)
      expect(error, to).toMatchObject({ responseCode: 550 })
      expect(String((error as Error).message)).toContain('no such mailbox')
    }
  })

  // Issue 13, found 1: the verdicts came from the message's own X-Local-Verdicts header, and a
  // HELO name spelling `dkim=pass` passed for any domain. Both are text the sender chose.
  it('takes no verdict from what the sender wrote: not a header, not the HELO name', { tags: ['security'] }, async () => {
    const raw = rawMail({ from: 'ceo@victim.example', extraHeaders: ['X-Local-Verdicts: spf=pass; dkim=pass', 'Authentication-Results: amazonses.com; spf=pass smtp.mailfrom=ceo@victim.example; dkim=pass header.d=victim.example'] })
    const id = await smtpSend(raw, { from: 'mallory@forged.test', to: ['create@events.localhost'] }, 'x;dkim=pass(header.d=victim.example')
    const { receipt } = (await takeNotifications(`create/${id}`))[0]!
    expect(receipt.verdicts).toMatchObject({ spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' })
    expect(isSenderVerified(receipt, 'ceo@victim.example')).toBe(false)
    // The message is stored as sent, its own headers included; only the receipt decides.
    expect(Buffer.from((await getRawMail(`create/${id}`))!).toString('latin1').endsWith(raw)).toBe(true)
  })

  it('refuses a message over the 40 MB SES accepts, as SES does, before it is sent', async () => {
    const { createConnection } = await import('node:net')
    const socket = createConnection({ host: '127.0.0.1', port: Number(env().CIS_LOCAL_SMTP_PORT) })
    const replies: string[] = []
    socket.on('data', (chunk: Buffer) => replies.push(chunk.toString()))
    const until = async (pattern: RegExp) => {
      for (let i = 0; i < 100 && !pattern.test(replies.join('')); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await until(/^220 /m)
    socket.write('EHLO client.example\r\n')
    await until(/^250 /m)
    socket.write(`MAIL FROM:<alice@example.com> SIZE=${41 * 1024 * 1024}\r\n`)
    await until(/^55\d /m)
    socket.end('QUIT\r\n')
    expect(replies.join('')).toMatch(/^552 .*size/im)
  })

  it('rejects, end to end, an invitation whose HELO spells a DKIM pass for the organizer, and logs why', async () => {
    await useFreshTable()
    const invitation = imip('ceo@victim.example', 'create@events.localhost', 'REQUEST', [
      'BEGIN:VEVENT', `UID:forged-${Date.now()}@victim.example`, 'SEQUENCE:0', 'DTSTAMP:20261101T100000Z', 'DTSTART:20270115T150000Z',
      'SUMMARY:Forged', 'ORGANIZER:mailto:ceo@victim.example', 'ATTENDEE;RSVP=TRUE:mailto:ann@example.com', 'END:VEVENT',
    ])
    const id = await smtpSend(invitation, { from: 'mallory@forged.test', to: ['create@events.localhost'] }, 'x;dkim=pass(header.d=victim.example')
    const key = `create/${id}`
    const { body } = (await takeNotifications(key))[0]!
    const batch = await handleInboundMail({ Records: [toSqsRecord({ MessageId: 'forged-1', ReceiptHandle: 'r', Body: JSON.stringify(body) }, 'arn:aws:sqs:us-east-1:000000000000:inbound', 'us-east-1')] })
    expect(batch.batchItemFailures).toEqual([])
    const { Item } = await MailLogEntity.build(EntityRepository).get({ key })
    expect(Item).toMatchObject({ outcome: 'rejected', senderVerified: false, reason: expect.stringMatching(/could not confirm it was sent by .*: no DMARC pass, nor an SPF pass/) })
  })
})

describe('queue poller (the Lambda event source mapping)', () => {
  beforeEach(async () => {
    await purge('inbound')
    await purge('inboundDeadLetter')
  })
  afterAll(async () => {
    await purge('inbound')
    await purge('inboundDeadLetter')
  })

  const sendBodies = async (bodies: string[]) =>
    clients().sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: await queueUrl('inbound'),
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    )

  const queueCounts = async (queue: QueueName) => {
    const answer = await clients().sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: await queueUrl(queue),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
    return Number(answer.Attributes!.ApproximateNumberOfMessages) + Number(answer.Attributes!.ApproximateNumberOfMessagesNotVisible)
  }

  it('hands Lambda-shaped batches to the handler, deletes the successes and redelivers the failures', async () => {
    const seen: { body: string; receiveCount: string }[] = []
    const events: SQSEvent[] = []
    let failedOnce = false
    const poller = startQueuePoller({
      queue: 'inbound',
      visibilityTimeout: 1,
      waitSeconds: 1,
      handler: async (event): Promise<SQSBatchResponse> => {
        events.push(event)
        const batchItemFailures: SQSBatchResponse['batchItemFailures'] = []
        for (const record of event.Records) {
          seen.push({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount! })
          if (record.body === 'two' && !failedOnce) {
            failedOnce = true
            batchItemFailures.push({ itemIdentifier: record.messageId })
          }
        }
        return { batchItemFailures }
      },
    })
    try {
      await sendBodies(['one', 'two', 'three'])
      await until(() => seen.filter((s) => s.body === 'two').length === 2)
    } finally {
      await poller.stop()
    }

    const record = events[0]!.Records[0]!
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: expect.stringMatching(new RegExp(`^arn:aws:sqs:[a-z0-9-]+:\\d{12}:${config().queues.inbound}$`)),
      awsRegion: config().region,
      md5OfBody: md5(record.body),
      messageAttributes: {},
    })
    expect(record.messageId).toBeTruthy()
    expect(record.receiptHandle).toBeTruthy()
    expect(record.attributes).toMatchObject({ ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/) })

    expect(seen.filter((s) => s.body === 'one')).toHaveLength(1)
    expect(seen.filter((s) => s.body === 'three')).toHaveLength(1)
    expect(seen.filter((s) => s.body === 'two').map((s) => s.receiveCount)).toEqual(['1', '2'])
    expect(await queueCounts('inbound')).toBe(0)
  })

  it('deletes nothing when the handler throws, and parks a message that keeps failing in the dead-letter queue', async () => {
    let calls = 0
    const poller = startQueuePoller({
      queue: 'inbound',
      visibilityTimeout: 1,
      waitSeconds: 1,
      handler: async () => {
        calls += 1
        throw new Error('poison')
      },
    })
    try {
      await sendBodies(['poison'])
      // maxReceiveCount is 3: the fourth receive moves it to the dead-letter queue.
      let parked: string[] = []
      const deadline = Date.now() + 8000
      while (parked.length === 0 && Date.now() < deadline) {
        parked = (await receiveFromQueue('inboundDeadLetter', 10, 1)).map((m) => m.Body!)
      }
      expect(parked).toEqual(['poison'])
    } finally {
      await poller.stop()
    }
    expect(calls).toBe(3)
    expect(await queueCounts('inbound')).toBe(0)
  })

  it("follows Lambda's rules for batch item failures", () => {
    const records = ['a', 'b', 'c'].map((messageId) => ({ messageId }) as SQSEvent['Records'][number])
    const ids = (list: typeof records) => list.map((r) => r.messageId)
    expect(ids(recordsToDelete(records, undefined))).toEqual(['a', 'b', 'c'])
    expect(ids(recordsToDelete(records, { batchItemFailures: [] }))).toEqual(['a', 'b', 'c'])
    expect(ids(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: 'b' }] }))).toEqual(['a', 'c'])
    // An identifier that is not in the batch fails the whole batch.
    expect(ids(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: 'x' }] }))).toEqual([])
    expect(ids(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: '' }] }))).toEqual([])
  })
})

describe('restarting the stack', () => {
  it('keeps DynamoDB items and S3 objects in its data folder', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cis-restart-'))
    try {
      const first = await startLocalStack({ dataDir, ports: 'free', env: {} })
      try {
        const aws = createClients(first.config)
        await aws.documents.send(new PutCommand({ TableName: first.config.tableName, Item: { pk: 'KEEP', sk: 'ME', n: 1 } }))
        await aws.s3.send(new PutObjectCommand({ Bucket: first.config.mailBucket, Key: 'create/kept', Body: 'kept bytes' }))
      } finally {
        await first.stop()
      }

      const second = await startLocalStack({ dataDir, ports: 'free', env: {} })
      try {
        expect(second.endpoints.dynamodb).not.toBe(first.endpoints.dynamodb)
        const aws = createClients(second.config)
        const item = await aws.documents.send(new GetCommand({ TableName: second.config.tableName, Key: { pk: 'KEEP', sk: 'ME' } }))
        expect(item.Item).toEqual({ pk: 'KEEP', sk: 'ME', n: 1 })
        const object = await aws.s3.send(new GetObjectCommand({ Bucket: second.config.mailBucket, Key: 'create/kept' }))
        expect(await object.Body!.transformToString()).toBe('kept bytes')
      } finally {
        await second.stop()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
