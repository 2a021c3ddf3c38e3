/**
 * The three deployed Lambda bundles called with events shaped exactly as AWS hands them over
 * (tests/fixtures/aws-events/README.md, tests/fixtures/ses/), against the local stack:
 * - the web function (Nuxt, aws-lambda preset) with API Gateway HTTP API 2.0 events of
 *   requests that came through CloudFront: base64 bodies, cookies in their own array, the
 *   execute-api host, the viewer behind `x-forwarded-for`;
 * - the inbound mail function with SQS batches of SES receipt notifications (raw message
 *   delivery, as infra/template.yaml subscribes the queue, and inside SNS's envelope), and
 *   with the messages that are not mail: the notification SES publishes when a receipt rule
 *   is created, SNS's subscription confirmation, a console test message, S3's test event;
 * - the send function with SES's event publishing records (raw delivery, and enveloped).
 * Each answer is checked by its effect in the table, not only by the absence of an error.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFile, fork, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { buildNuxt, loadNuxt } from 'nuxt/kit'
import type { NuxtConfig } from 'nuxt/schema'
import { EntityRepository } from 'dynamodb-toolbox'
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { fixturePath, repoRoot } from '../corpus'
import { organizerCreatesEvent, rawSentMail, useFreshTable, type RawSentMessage } from '../integration/support'
import { deleteFromQueue, receiveFromQueue } from '../../server/aws/queue'
import { MailLogEntity, SignInRateEntity } from '../../server/aws/table'
import { putRawMail } from '../../server/aws/mail-store'
import { config } from '../../server/config'
import { loadEvent } from '../../server/services/event-store'
import { inviteToEvent, loadInvitation, unsubscribeUrl } from '../../server/services/invitations'
import { suppressionOf } from '../../server/services/suppression'
import { SIGN_IN_LIMITS } from '../../server/services/sign-in'
import { PUBLIC_CACHE_CONTROL } from '../../server/utils/public-cache-control'

const run = promisify(execFile)
const SITE = 'https://cis.example.test'
const VIEWER = '198.51.100.23'

const awsEvent = <T>(name: string): T => JSON.parse(readFileSync(fixturePath(`aws-events/${name}`), 'utf8')) as T
const sesFixture = (name: string) => readFileSync(fixturePath(`ses/${name}`), 'utf8')

// ------------------------------------------------------------------ web

type HttpApiEvent = Record<string, unknown> & {
  rawPath: string
  rawQueryString: string
  headers: Record<string, string>
  requestContext: { requestId: string; timeEpoch: number; http: { method: string; path: string } }
}
interface HttpApiAnswer {
  statusCode: number
  headers: Record<string, string>
  cookies?: string[]
  body: string
  isBase64Encoded?: boolean
}
type Reply = { ready: true } | { id: string; answer: HttpApiAnswer } | { id: string; error: string }

/**
 * The web function's event for a viewer's request through CloudFront: the fixture with this
 * request's method, path and query (as the viewer encoded it), its cookies in the `cookies`
 * array and a body base64-encoded, as API Gateway passes every body it does not know is text.
 */
function viaCloudFront(method: string, rawPath: string, options: { rawQueryString?: string; cookies?: string[]; body?: string; contentType?: string } = {}): HttpApiEvent {
  const event = awsEvent<HttpApiEvent>('http-api-via-cloudfront.json')
  const rawQueryString = options.rawQueryString ?? ''
  event.rawPath = rawPath
  event.rawQueryString = rawQueryString
  if (rawQueryString) {
    // Repeated names are joined with commas, values decoded.
    const joined: Record<string, string> = {}
    for (const [name, value] of new URLSearchParams(rawQueryString)) joined[name] = name in joined ? `${joined[name]},${value}` : value
    event.queryStringParameters = joined
  }
  if (options.cookies) event.cookies = options.cookies
  // The fixture is a page navigation; the app's own API calls ask for JSON.
  if (rawPath.startsWith('/api/')) event.headers = { ...event.headers, accept: 'application/json' }
  event.requestContext = { ...event.requestContext, requestId: randomUUID(), timeEpoch: Date.now(), http: { ...event.requestContext.http, method, path: rawPath } }
  if (options.body !== undefined) {
    const bytes = Buffer.from(options.body)
    event.headers = { ...event.headers, 'content-type': options.contentType ?? 'application/json', 'content-length': String(bytes.length) }
    event.body = bytes.toString('base64')
    event.isBase64Encoded = true
  }
  return event
}

const bodyOf = (answer: HttpApiAnswer) => (answer.isBase64Encoded ? Buffer.from(answer.body, 'base64').toString('utf8') : answer.body)

// ------------------------------------------------------------------ queues

type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse>
type SqsRecordShape = SQSEvent['Records'][number]

/** An SQS batch as Lambda delivers it from `queue`: the fixture's record, once per body. */
function sqsBatch(queue: string, bodies: string[]): SQSEvent {
  const [template] = awsEvent<{ Records: SqsRecordShape[] }>('sqs-batch.json').Records
  return {
    Records: bodies.map((body, index) => ({
      ...template!,
      messageId: `${queue}-${index}-${randomUUID()}`,
      body,
      attributes: { ...template!.attributes, SentTimestamp: String(Date.now()) },
      eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
    })),
  }
}

/** What SNS delivers to an SQS subscription without raw message delivery. */
function inSnsEnvelope(message: string, topic: string, subject?: string): string {
  const envelope = awsEvent<Record<string, string>>('sns-envelope.json')
  const { Subject: _, ...rest } = envelope
  return JSON.stringify({ ...rest, ...(subject ? { Subject: subject } : {}), MessageId: randomUUID(), TopicArn: `arn:aws:sns:us-east-1:123456789012:${topic}`, Message: message })
}

const queueName = (url: string) => url.split('/').pop()!

/**
 * Runs the send queue's jobs about `email` through `send`, as the event source mapping
 * would, until the local SES has mail for it (a job may queue another: a request, then its
 * confirmation). Other jobs are left alone.
 */
async function sendJobsFor(send: QueueHandler, email: string): Promise<RawSentMessage[]> {
  const since = Date.now()
  for (let round = 0; round < 5; round++) {
    const jobs = (await receiveFromQueue('send', 10, 1)).filter((message) => message.Body?.includes(email))
    if (jobs.length) expect(await send(sqsBatch(queueName(config().queues.send), jobs.map((job) => job.Body!)))).toEqual({ batchItemFailures: [] })
    await deleteFromQueue('send', jobs)
    const sent = await rawSentMail(since, email)
    if (sent.length) return sent
  }
  return []
}

describe('the built Lambda bundles, called with the events AWS sends', () => {
  const buildDir = path.join(repoRoot, '.nuxt', `shapes-${randomUUID().slice(0, 8)}`)
  let web: ChildProcess | undefined
  const waiting = new Map<string, (reply: Reply) => void>()
  let inbound: QueueHandler
  let send: QueueHandler

  function call(event: HttpApiEvent): Promise<HttpApiAnswer> {
    const id = randomUUID()
    return new Promise((resolve, reject) => {
      waiting.set(id, (reply) => ('answer' in reply ? resolve(reply.answer) : reject(new Error('error' in reply ? reply.error : 'no answer'))))
      web!.send({ id, event })
    })
  }

  beforeAll(async () => {
    await useFreshTable()
    // `nitro` is Nuxt's option only with Nitro's type augmentations, which need a prepared app.
    const overrides = { buildDir, nitro: { preset: 'aws-lambda', output: { dir: path.join(buildDir, 'output') } } } as NuxtConfig
    const buildWeb = async () => {
      const nuxt = await loadNuxt({ cwd: repoRoot, dev: false, overrides })
      await buildNuxt(nuxt)
      await nuxt.close()
    }
    // The two builds at once: each waits on the disk and the other's CPU in turn.
    await Promise.all([buildWeb(), run('npm', ['run', 'build:queues'], { cwd: repoRoot })])
    const load = async (bundle: string) => (await import(pathToFileURL(path.join(repoRoot, `.output-queues/${bundle}/server/index.mjs`)).href)).handler as QueueHandler
    inbound = await load('inbound-mail')
    send = await load('send')
    // As Lambda runs it (plain node, no NODE_ENV), for an https site behind one proxy (CloudFront).
    const { NODE_ENV: _, ...env } = process.env
    web = fork(fileURLToPath(new URL('../support/lambda-process.mjs', import.meta.url)), [path.join(buildDir, 'output/server/index.mjs')], {
      execArgv: [],
      env: { ...env, CIS_SITE_URL: SITE, CIS_TRUSTED_PROXIES: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    await new Promise<void>((ready, failed) => {
      web!.on('message', (reply: Reply) => ('ready' in reply ? ready() : waiting.get(reply.id)?.(reply)))
      web!.once('exit', (code) => failed(new Error(`the web Lambda process exited (${code})`)))
    })
  }, 240_000)

  afterAll(async () => {
    web?.kill()
    await rm(buildDir, { recursive: true, force: true })
  })

  describe('web: API Gateway HTTP API 2.0 events through CloudFront', () => {
    const organizer = `organizer-${randomUUID().slice(0, 8)}@shapes.example`
    const uid = `shapes-${randomUUID()}@shapes.example`
    let session: string

    beforeAll(async () => {
      await organizerCreatesEvent(uid, organizer, 'Organizer', 'Café & Co launch')
    })

    it('reads a base64 JSON sign-in body, limits the viewer (not the edge), and sets the session in the v2 `cookies` field', async () => {
      const since = Date.now()
      const asked = await call(viaCloudFront('POST', '/api/auth/sign-in', { body: JSON.stringify({ email: organizer }) }))
      expect(asked.statusCode, bodyOf(asked)).toBe(202)
      // The rate limit counts the address CloudFront saw (x-forwarded-for's last entry before the edge).
      const windowMs = SIGN_IN_LIMITS.windowMinutes * 60_000
      const window = new Date(Math.floor(Date.now() / windowMs) * windowMs).toISOString()
      const rates = SignInRateEntity.build(EntityRepository)
      expect((await rates.get({ subject: `ip:${VIEWER}`, window })).Item).toBeDefined()
      expect((await rates.get({ subject: 'ip:130.176.91.140', window })).Item).toBeUndefined()

      const [mail] = await rawSentMail(since, organizer)
      const link = new URL(/^(https:\S+\/sign-in\/verify\?token=\S+)$/m.exec((await PostalMime.parse(mail!.raw)).text ?? '')![1]!)
      expect(link.origin).toBe(SITE)
      const verified = await call(viaCloudFront('GET', link.pathname, { rawQueryString: link.search.slice(1) }))
      expect(verified.statusCode, bodyOf(verified)).toBe(303)
      expect(verified.headers['cache-control']).toBe('no-store')
      // API Gateway (2.0) turns only the `cookies` array into Set-Cookie lines; a set-cookie
      // header would carry at most one of them.
      const cookie = verified.cookies?.find((line) => line.startsWith('nuxt-session='))
      expect(cookie).toMatch(/;\s*Secure/i)
      expect(Object.keys(verified.headers).map((name) => name.toLowerCase())).not.toContain('set-cookie')
      session = cookie!.split(';')[0]!
    })

    it('sees a session cookie that arrives in the `cookies` array, and marks the answers no-store', async () => {
      const me = await call(viaCloudFront('GET', '/api/auth/me', { cookies: ['_ga=GA1.1.1234567890.1796148238', session, 'theme=dark'] }))
      expect(me.statusCode, bodyOf(me)).toBe(200)
      expect(JSON.parse(bodyOf(me))).toMatchObject({ email: organizer })
      expect(me.headers['cache-control']).toBe('no-store')
      const dashboard = await call(viaCloudFront('GET', '/dashboard', { cookies: [session] }))
      expect(dashboard.statusCode).toBe(200)
      expect(dashboard.headers['content-type']).toMatch(/^text\/html/)
      expect(dashboard.headers['cache-control']).toBe('no-store')
      const signedOut = await call(viaCloudFront('GET', '/api/auth/me'))
      expect(signedOut.statusCode).toBe(401)
      expect(signedOut.headers['cache-control'] ?? '').not.toMatch(/public|s-maxage/)
    })

    it('decodes the raw query string as the viewer encoded it (UTF-8, `+` for a space, an encoded `&`)', async () => {
      const found = await call(viaCloudFront('GET', '/api/events', { rawQueryString: 'q=Caf%C3%A9+%26+Co&view=upcoming', cookies: [session] }))
      expect(found.statusCode, bodyOf(found)).toBe(200)
      expect((JSON.parse(bodyOf(found)) as { events: { uid: string }[] }).events.map((event) => event.uid)).toEqual([uid])
      const none = await call(viaCloudFront('GET', '/api/events', { rawQueryString: 'q=Caf%C3%A9+%26+Tea&view=upcoming', cookies: [session] }))
      expect((JSON.parse(bodyOf(none)) as { events: unknown[] }).events).toEqual([])
    })

    it('renders the public event page with the Cache-Control CloudFront keeps it by', async () => {
      const publicId = (await loadEvent(uid))!.publicId!
      const page = await call(viaCloudFront('GET', `/events/${publicId}`))
      expect(page.statusCode, bodyOf(page)).toBe(200)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(bodyOf(page)).toContain('Café &amp; Co launch')
      expect(page.headers['cache-control']).toBe(PUBLIC_CACHE_CONTROL)
      const api = await call(viaCloudFront('GET', `/api/public/events/${publicId}`))
      expect(api.statusCode).toBe(200)
      expect(api.headers['cache-control']).toBe(PUBLIC_CACHE_CONTROL)
    })

    it('reads a base64 JSON body on the public "send me the invite" request: the confirmation goes to the address in it', async () => {
      const publicId = (await loadEvent(uid))!.publicId!
      const guest = `visitor-${randomUUID().slice(0, 8)}@shapes.example`
      const asked = await call(viaCloudFront('POST', `/api/public/events/${publicId}/invite-requests`, { body: JSON.stringify({ email: guest }) }))
      expect(asked.statusCode, bodyOf(asked)).toBe(202)
      expect(JSON.parse(bodyOf(asked))).toMatchObject({ message: expect.any(String) })
      const [confirmation] = await sendJobsFor(send, guest)
      const text = (await PostalMime.parse(confirmation!.raw)).text ?? ''
      expect(text).toContain(guest)
      // The button on the link's page: a POST with no body, and the invitation is on its way.
      const link = new URL(/^(http\S+\/invite-requests\/\S+)$/m.exec(text)![1]!)
      const confirmed = await call(viaCloudFront('POST', link.pathname))
      expect(confirmed.statusCode, bodyOf(confirmed)).toBe(202)
      expect(await loadInvitation(uid, guest)).toMatchObject({ origin: 'landing-page' })
      const misread = await call(viaCloudFront('POST', `/api/public/events/${publicId}/invite-requests`, { body: JSON.stringify({ email: 'not an address' }) }))
      expect(misread.statusCode).toBe(400)
    })

    it('reads a base64 form body: the one-click unsubscribe a mail client POSTs', async () => {
      const email = `leaver-${randomUUID().slice(0, 8)}@shapes.example`
      const { pathname } = new URL(unsubscribeUrl(email, uid))
      const answer = await call(viaCloudFront('POST', pathname, { body: 'List-Unsubscribe=One-Click', contentType: 'application/x-www-form-urlencoded' }))
      expect(answer.statusCode, bodyOf(answer)).toBe(200)
      expect(JSON.parse(bodyOf(answer))).toMatchObject({ unsubscribed: true })
      expect(await suppressionOf(email)).toMatchObject({ reason: 'unsubscribed' })
    })
  })

  describe('inbound: SES receipt notifications and the messages that are not mail', () => {
    const inboundQueue = () => queueName(config().queues.inbound)
    const topic = 'cis-inbound-mail'

    /** SES's receipt notification (the fixture) for a message stored under `key`. */
    function receiptFor(key: string) {
      const notification = awsEvent<{ receipt: { action: Record<string, string> }; mail: Record<string, unknown> }>('ses-receipt-s3-action.json')
      notification.receipt.action = { ...notification.receipt.action, bucketName: config().mailBucket, objectKey: key }
      notification.mail.messageId = key.slice(key.indexOf('/') + 1)
      return JSON.stringify(notification)
    }

    it('turns a receipt notification into an event, raw (as the queue is subscribed) and inside the SNS envelope', async () => {
      const raw = readFileSync(fixturePath('mail/sample-invite.eml'))
      const rawKey = `create/${randomUUID()}`
      const wrappedKey = `create/${randomUUID()}`
      await putRawMail(rawKey, raw)
      await putRawMail(wrappedKey, raw)
      // Two batches, one after the other: in one batch the two copies of the same invitation
      // would race, and either could be the one that creates the event.
      expect(await inbound(sqsBatch(inboundQueue(), [receiptFor(rawKey)]))).toEqual({ batchItemFailures: [] })
      expect(await inbound(sqsBatch(inboundQueue(), [inSnsEnvelope(receiptFor(wrappedKey), topic, 'Amazon SES Email Receipt Notification')]))).toEqual({ batchItemFailures: [] })
      const log = MailLogEntity.build(EntityRepository)
      const first = (await log.get({ key: rawKey })).Item
      expect(first).toMatchObject({ outcome: 'created', senderVerified: true, receipt: { dmarc: 'PASS', source: 'alice@example.com' } })
      expect((await loadEvent(first!.eventUid!))?.state).toMatchObject({ summary: 'Spring community meetup' })
      // The same invitation again, read from inside the envelope with its verdicts.
      expect((await log.get({ key: wrappedKey })).Item).toMatchObject({ eventUid: first!.eventUid, senderVerified: true })
    })

    it("ends SES's setup notification, SNS's confirmation, a console test message and S3's test event with no failure and nothing in the mail log", async () => {
      // SES writes the test object when the rule is created; the notification names it.
      const setupKey = 'create/AMAZON_SES_SETUP_NOTIFICATION'
      await putRawMail(setupKey, readFileSync(fixturePath('aws-events/ses-setup-notification.eml')))
      const setup = awsEvent<{ receipt: { action: Record<string, string> } }>('ses-receipt-setup-notification.json')
      setup.receipt.action.bucketName = config().mailBucket
      const confirmation = sesFixture('sns-subscription-confirmation.json').replaceAll('ses-events', topic)
      const since = Date.now()
      const answer = await inbound(
        sqsBatch(inboundQueue(), [
          JSON.stringify(setup),
          inSnsEnvelope(JSON.stringify(setup), topic, 'Amazon SES Email Receipt Notification'),
          confirmation,
          inSnsEnvelope('A test message published from the console.', topic),
          JSON.stringify({ ...awsEvent<object>('s3-test-event.json'), Bucket: config().mailBucket }),
        ]),
      )
      expect(answer).toEqual({ batchItemFailures: [] })
      expect((await MailLogEntity.build(EntityRepository).get({ key: setupKey })).Item).toBeUndefined()
      expect(await rawSentMail(since, 'no-reply-aws@amazon.com')).toEqual([])
    })
  })

  describe('send: SES event publishing records through SNS', () => {
    const sesQueue = () => queueName(config().queues.sesEvents)
    const topic = 'cis-ses-events'
    const guest = `guest-${randomUUID().slice(0, 8)}@shapes.example`
    /** A fixture's record about mail to `to` (the documented examples all name recipient@example.com). */
    const about = (name: string, to: string, sesMessageId?: string) => {
      const record = JSON.parse(sesFixture(name).replaceAll('recipient@example.com', to)) as { mail: { messageId: string } }
      if (sesMessageId) record.mail.messageId = sesMessageId
      return JSON.stringify(record)
    }

    it('a permanent bounce of a sent invitation suppresses the address and marks the invitation', async () => {
      const uid = `send-${randomUUID()}@shapes.example`
      const organizer = `send-organizer-${randomUUID().slice(0, 8)}@shapes.example`
      await organizerCreatesEvent(uid, organizer, 'Organizer', 'Bounce check')
      expect(await inviteToEvent({ eventUid: uid, email: guest, origin: 'api', invitedBy: organizer })).toMatchObject({ outcome: 'queued' })
      const since = Date.now()
      expect(await send(sqsBatch(queueName(config().queues.send), [JSON.stringify({ type: 'deliver', eventUid: uid, email: guest })]))).toEqual({ batchItemFailures: [] })
      const [sent] = await rawSentMail(since, guest)
      expect(sent).toBeDefined()

      // Raw message delivery, as the template subscribes the SES events queue.
      const answer = await send(sqsBatch(sesQueue(), [about('event-bounce-permanent.json', guest, sent!.messageId)]))
      expect(answer).toEqual({ batchItemFailures: [] })
      expect(await suppressionOf(guest)).toMatchObject({ reason: 'bounced' })
      expect(await loadInvitation(uid, guest)).toMatchObject({ status: 'suppressed' })
    })

    it('a complaint suppresses, raw or enveloped; the other events and the set-up messages change nothing and fail nothing', async () => {
      const complainer = `complainer-${randomUUID().slice(0, 8)}@shapes.example`
      const wrappedComplainer = `complainer-${randomUUID().slice(0, 8)}@shapes.example`
      const others = ['event-delivery.json', 'event-send.json', 'event-reject.json', 'event-delivery-delay.json', 'event-bounce-transient.json', 'event-complaint-not-spam.json']
      const bystanders = others.map((name) => ({ name, email: `${name.replace('.json', '')}-${randomUUID().slice(0, 8)}@shapes.example` }))
      const answer = await send(
        sqsBatch(sesQueue(), [
          about('event-complaint-abuse.json', complainer),
          inSnsEnvelope(about('event-complaint-abuse.json', wrappedComplainer), topic),
          ...bystanders.map(({ name, email }) => about(name, email)),
          ...bystanders.slice(0, 2).map(({ name, email }) => inSnsEnvelope(about(name, email), topic)),
          // The test message SES publishes when the event destination is added, raw and enveloped.
          'Successfully validated SNS topic for Amazon SES event publishing.',
          sesFixture('sns-topic-validated.json'),
          sesFixture('sns-subscription-confirmation.json'),
        ]),
      )
      expect(answer).toEqual({ batchItemFailures: [] })
      expect(await suppressionOf(complainer)).toMatchObject({ reason: 'complained' })
      expect(await suppressionOf(wrappedComplainer)).toMatchObject({ reason: 'complained' })
      for (const { email } of bystanders) expect(await suppressionOf(email), email).toBeNull()
    })
  })
})
