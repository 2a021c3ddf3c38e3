import { describe, it, expect, beforeAll } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { randomUUID } from 'node:crypto'
import { putRawMail } from '../../server/aws/mail-store'
import { loadEvent } from '../../server/services/event-store'
import { receivedAsSes } from '../../server/local/smtp-receiver'
import { EntityRepository } from 'dynamodb-toolbox'
import { MailLogEntity } from '../../server/aws/table'
import { config } from '../../server/config'
import { corpusFile, hasCorpus, repoRoot } from '../corpus'
import { rawSentMail, useFreshTable } from '../integration/support'
import { inviteToEvent, loadInvitation } from '../../server/services/invitations'

const run = promisify(execFile)

type Handler = (event: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>
const sqsRecord = (messageId: string, body: string, queue: string) => ({
  messageId, receiptHandle: `r-${messageId}`, body, attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {}, md5OfBody: '',
  eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`, awsRegion: 'us-east-1',
})

// The deployable artifacts, not the source: `npm run build:queues` bundles each handler with
// Nitro (aws-lambda preset), and each bundle must handle an SQS batch against real services.
describe.skipIf(!hasCorpus)('the Nitro-built queue Lambdas', () => {
  let handler: Handler
  let sendHandler: Handler

  beforeAll(async () => {
    await useFreshTable()
    await run('npm', ['run', 'build:queues'], { cwd: repoRoot })
    const load = async (bundle: string) => (await import(pathToFileURL(path.join(repoRoot, `.output-queues/${bundle}/server/index.mjs`)).href)).handler as Handler
    handler = await load('inbound-mail')
    sendHandler = await load('send')
  }, 240_000)

  it("exports a handler that turns a batch of SES's receipt notifications (through SNS) into an event", async () => {
    const key = `create/${randomUUID()}`
    const { stored, notification } = receivedAsSes(corpusFile('eml/google__tb__meet-meeting-invite.eml'), 'example@gmail.com', config().mailboxes.create, key, config().mailBucket)
    await putRawMail(key, stored)
    // As SNS delivers to SQS without raw message delivery: the notification inside its envelope.
    const viaSns = { Type: 'Notification', MessageId: randomUUID(), TopicArn: 'arn:aws:sns:us-east-1:000000000000:cis-inbound-mail', Message: JSON.stringify(notification), Timestamp: new Date().toISOString() }
    const answer = await handler({
      Records: [
        {
          messageId: 'm-1', receiptHandle: 'r-1', body: JSON.stringify(viaSns),
          attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:cis-inbound', awsRegion: 'us-east-1',
        },
        {
          messageId: 'm-2', receiptHandle: 'r-2', body: '{"not":"a notification"', attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn', awsRegion: 'us-east-1',
        },
      ],
    })
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] })
    expect((await loadEvent('65m17hsdolmotv3kvmrtg40ont@google.com'))?.state).toMatchObject({ summary: 'Meeeeet me HTML', timezone: null })
  })

  it('rejects, in the built handler, an invitation whose receipt says SPF and DKIM failed, whatever its headers claim', async () => {
    const key = `create/${randomUUID()}`
    const raw = corpusFile('eml/google__tb__repeat-event.eml')
    const forgedHeaders = Buffer.from('Authentication-Results: amazonses.com; spf=pass smtp.helo=x;dkim=pass(header.d=example.com;\r\n')
    const { stored, notification } = receivedAsSes(Buffer.concat([forgedHeaders, raw]), 'mallory@forged.test', config().mailboxes.create, key, config().mailBucket, { spf: 'fail', dkim: 'fail' })
    await putRawMail(key, stored)
    const answer = await handler({ Records: [{ messageId: 'f-1', receiptHandle: 'r-1', body: JSON.stringify(notification), attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn', awsRegion: 'us-east-1' }] })
    expect(answer).toEqual({ batchItemFailures: [] })
    const { Item } = await MailLogEntity.build(EntityRepository).get({ key })
    expect(Item).toMatchObject({ outcome: 'rejected', senderVerified: false })
  })

  it('the send bundle sends an invitation job as a proper invitation, and takes SES events from its other queue', async () => {
    const uid = '65m17hsdolmotv3kvmrtg40ont@google.com'
    const since = Date.now()
    expect(await inviteToEvent({ eventUid: uid, email: 'bundle-guest@example.org', origin: 'api', invitedBy: 'example@gmail.com' })).toMatchObject({ outcome: 'queued' })
    const answer = await sendHandler({
      Records: [sqsRecord('s-1', JSON.stringify({ type: 'deliver', eventUid: uid, email: 'bundle-guest@example.org' }), config().queues.send)],
    })
    expect(answer).toEqual({ batchItemFailures: [] })
    expect(await rawSentMail(since, 'bundle-guest@example.org')).toHaveLength(1)
    expect(await loadInvitation(uid, 'bundle-guest@example.org')).toMatchObject({ status: 'sent' })

    const bounce = { notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'bundle-bounced@example.org' }], timestamp: new Date().toISOString() }, mail: { messageId: 'x', timestamp: new Date().toISOString(), source: 'rsvp@events.localhost', destination: ['bundle-bounced@example.org'] } }
    const sesAnswer = await sendHandler({ Records: [sqsRecord('e-1', JSON.stringify({ Type: 'Notification', Message: JSON.stringify(bounce) }), config().queues.sesEvents)] })
    expect(sesAnswer).toEqual({ batchItemFailures: [] })
    const { suppressionOf } = await import('../../server/services/suppression')
    expect(await suppressionOf('bundle-bounced@example.org')).toMatchObject({ reason: 'bounced' })
  })
})
