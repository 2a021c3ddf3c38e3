import { describe, it, expect, beforeAll } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { randomUUID } from 'node:crypto'
import { putRawMail } from '../../server/aws/mail-store'
import { loadEvent } from '../../server/services/event-store'
import { s3EventNotification } from '../../server/local/smtp-receiver'
import { config } from '../../server/config'
import { corpusFile, hasCorpus, repoRoot } from '../corpus'
import { received, useFreshTable } from '../integration/support'

const run = promisify(execFile)

// The deployable artifact, not the source: `npm run build:queues` bundles the handler with
// Nitro (aws-lambda preset), and the bundle must handle an SQS batch against real services.
describe.skipIf(!hasCorpus)('the Nitro-built inbound mail Lambda', () => {
  let handler: (event: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>

  beforeAll(async () => {
    await useFreshTable()
    await run('npm', ['run', 'build:queues'], { cwd: repoRoot })
    const entry = path.join(repoRoot, '.output-queues/inbound-mail/server/index.mjs')
    handler = (await import(pathToFileURL(entry).href)).handler
  }, 180_000)

  it('exports a handler that turns an S3 notification batch into an event', async () => {
    const key = `create/${randomUUID()}`
    await putRawMail(key, received(corpusFile('eml/google__tb__meet-meeting-invite.eml'), 'example@gmail.com'))
    const answer = await handler({
      Records: [
        {
          messageId: 'm-1', receiptHandle: 'r-1', body: JSON.stringify(s3EventNotification(config().mailBucket, key, 100, 'etag')),
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
})
