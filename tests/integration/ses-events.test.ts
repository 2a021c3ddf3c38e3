/**
 * The SES events handler against the local stack: notifications go through the real SES
 * events queue (SQS stand-in) and the handler writes the suppression list in DynamoDB Local.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { config, resetConfig } from '../../server/config'
import { deleteFromQueue, receiveFromQueue, sendToQueue } from '../../server/aws/queue'
import { toSqsRecord } from '../../server/local/poller'
import type { SQSRecord } from 'aws-lambda'
import { handleSesEvents } from '../../server/queues/ses-events'
import { suppressionOf } from '../../server/services/suppression'
import { captureLog } from '../support/log-lines'
import { useFreshTable } from './support'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ses/${name}.json`, import.meta.url), 'utf8')
const someone = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.org`
/** A documented body with its example recipient replaced (in SNS envelopes too, where it is escaped). */
const bodyFor = (name: string, email: string) => fixture(name).replaceAll('recipient@example.com', email)

const arn = () => `arn:aws:sqs:${config().region}:000000000000:${config().queues.sesEvents}`

/** Puts bodies on the SES events queue and reads them back as Lambda's records. */
async function throughQueue(bodies: string[]): Promise<SQSRecord[]> {
  for (const body of bodies) await sendToQueue('sesEvents', body)
  const records: SQSRecord[] = []
  while (records.length < bodies.length) {
    const messages = await receiveFromQueue('sesEvents', 10, 1)
    if (!messages.length) break
    await deleteFromQueue('sesEvents', messages)
    records.push(...messages.map((message) => toSqsRecord(message, arn(), config().region)))
  }
  return records
}

describe('handleSesEvents', () => {
  beforeAll(async () => {
    await useFreshTable()
    // Whatever an earlier run left behind is not this file's.
    while ((await receiveFromQueue('sesEvents', 10, 0)).length) {}
  })

  it('suppresses permanent bounces and complaints from every shape, and drops what it cannot read', async () => {
    const [bounced, enveloped, complained, transient, delivered] = ['bounced', 'enveloped', 'complained', 'transient', 'delivered'].map(someone)
    const records = await throughQueue([
      bodyFor('event-bounce-permanent', bounced!),
      bodyFor('sns-event-bounce-permanent', enveloped!),
      bodyFor('sns-event-complaint-abuse', complained!),
      bodyFor('event-bounce-transient', transient!),
      bodyFor('event-delivery', delivered!),
      fixture('sns-subscription-confirmation'),
      'Successfully validated SNS topic for Amazon SES event publishing.',
      '{"this is": "not an SES notification"}',
      'not even JSON',
    ])
    expect(records).toHaveLength(9)
    const { log, lines, entries } = captureLog()
    const answer = await handleSesEvents({ Records: records }, { log })

    expect(answer).toEqual({ batchItemFailures: [] })
    expect(await suppressionOf(bounced!)).toMatchObject({ reason: 'bounced', since: '2017-08-05T00:41:02.669Z' })
    expect(await suppressionOf(enveloped!)).toMatchObject({ reason: 'bounced' })
    expect(await suppressionOf(complained!)).toMatchObject({ reason: 'complained' })
    expect(await suppressionOf(transient!)).toBeNull()
    expect(await suppressionOf(delivered!)).toBeNull()

    // One line a record, each with its SQS message id.
    expect(entries().map((entry) => entry.sqsMessageId).sort()).toEqual(records.map((record) => record.messageId).sort())
    expect(entries().filter((entry) => entry.level === 'WARN' && /dropped/.test(entry.message))).toHaveLength(2)
    expect(lines.find((line) => line.includes(transient!))).toContain('not suppressed')
    expect(entries().find((entry) => (entry.suppressed as string[] | undefined)?.includes(bounced!))).toMatchObject({ sesMessageId: expect.any(String) })
    expect(lines.find((line) => line.includes('ConfirmSubscription'))).toBeDefined()
  })

  it('reports only the records whose write failed, so SQS retries just those', async () => {
    const [bounced, delivered] = [someone('retry'), someone('delivered')]
    const records = await throughQueue([bodyFor('event-bounce-permanent', bounced), bodyFor('event-delivery', delivered), 'garbage'])
    const table = process.env.CIS_TABLE
    process.env.CIS_TABLE = `missing-${randomUUID().slice(0, 8)}`
    resetConfig()
    const { log, entries } = captureLog()
    let answer
    try {
      answer = await handleSesEvents({ Records: records }, { log })
    } finally {
      process.env.CIS_TABLE = table
      resetConfig()
    }
    const bounceRecord = records.find((record) => record.body.includes(bounced))!
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: bounceRecord.messageId }] })
    expect(entries().find((entry) => entry.sqsMessageId === bounceRecord.messageId)).toMatchObject({
      level: 'ERROR',
      message: expect.stringMatching(/will deliver it again/),
      error: expect.objectContaining({ name: 'ResourceNotFoundException' }),
    })

    // The retry, with the table back, records it.
    expect(await handleSesEvents({ Records: [bounceRecord] })).toEqual({ batchItemFailures: [] })
    expect(await suppressionOf(bounced)).toMatchObject({ reason: 'bounced' })
  })

  it('takes an empty batch', async () => {
    expect(await handleSesEvents({ Records: [] })).toEqual({ batchItemFailures: [] })
  })
})
