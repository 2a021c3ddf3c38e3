/**
 * The logs of one inbound message on the local stack, as the deployed handlers write them: a
 * message whose processing failed is found by its S3 key, as `filter s3Key = "…"` finds it
 * in CloudWatch Logs Insights, together with everything else logged about it.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { putRawMail } from '../../server/aws/mail-store'
import { config, resetConfig } from '../../server/config'
import { receivedAsSes } from '../../server/local/smtp-receiver'
import { handleInboundMail } from '../../server/queues/inbound-mail'
import { createSendHandler } from '../../server/queues/send'
import { captureLog } from '../support/log-lines'
import { imip, mailbox, runSendQueue, sqsRecord, useFreshSendQueue, useFreshTable } from './support'

describe('the logs of an inbound message', () => {
  beforeAll(async () => {
    await useFreshTable()
    await useFreshSendQueue()
  })

  it('carry its S3 key on every line: the delivery that failed, the one that created the event, the confirmation sent', async () => {
    const organizer = 'olga@example.com'
    const uid = `logged-${randomUUID()}@tests.local`
    const key = `create/${randomUUID()}`
    const invitation = imip(organizer, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261101T100000Z', 'DTSTART:20270115T150000Z', 'SUMMARY:Logged review',
      `ORGANIZER;CN=Olga:mailto:${organizer}`, 'ATTENDEE;RSVP=TRUE:mailto:ann@example.com', 'END:VEVENT',
    ])
    // What SES's receipt rule stores and announces on the inbound queue.
    const { stored, notification } = receivedAsSes(invitation, organizer, mailbox('create'), key, config().mailBucket)
    await putRawMail(key, stored)
    const record = sqsRecord(`inbound-${randomUUID()}`, JSON.stringify(notification))
    const { log, entries } = captureLog()

    // The first delivery finds no table (a name that does not exist): it fails and SQS keeps it.
    const table = process.env.CIS_TABLE
    process.env.CIS_TABLE = `missing-${randomUUID().slice(0, 8)}`
    resetConfig()
    try {
      expect(await handleInboundMail({ Records: [record] }, { log })).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] })
    } finally {
      process.env.CIS_TABLE = table
      resetConfig()
    }
    // Delivered again, it creates the event, and the organizer's confirmation goes out.
    expect(await handleInboundMail({ Records: [record] }, { log })).toEqual({ batchItemFailures: [] })
    await runSendQueue(createSendHandler({ backoffSeconds: 0, log }))

    expect(entries().filter((entry) => entry.s3Key === key)).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'inbound message failed; SQS will deliver it again',
        sqsMessageId: record.messageId,
        error: expect.objectContaining({ name: 'ResourceNotFoundException', message: expect.any(String), stack: expect.any(String) }),
      }),
      expect.objectContaining({
        level: 'INFO',
        message: 'inbound message processed',
        sqsMessageId: record.messageId,
        mailbox: 'create',
        outcome: 'created',
        eventUid: uid,
        organizer,
      }),
      expect.objectContaining({
        level: 'INFO',
        message: 'send job done',
        sendJob: 'notify',
        template: 'eventCreated',
        recipient: organizer,
        outcome: 'sent',
        sesMessageId: expect.any(String),
      }),
    ])
  })
})
