/**
 * A stretch of mixed load on a running server and local stack, then the account of every
 * message (`npm run load`, and its short form in the e2e suite). At once, until the time is up:
 *
 * - inbound mail through the SMTP port: new invitations, updates (SEQUENCE + 1) and attendees'
 *   replies, from senders the stack verifies; one message per event in flight at a time, so
 *   each has one right outcome (`created`, `updated`, `reply`);
 * - the dashboard API with an organizer's API token (events list, event details, attendees);
 * - the public pages (`/`, an event's page, its data and its calendar file);
 * - a bulk send: `POST /api/invites/batch` of `bulkRows` invitations, 1,000 rows a call;
 * - public-form abuse, spread over the run: one address asked for by many clients, one client
 *   asking for many addresses, one event asked for by many clients, past the limits.
 *
 * The server must trust one proxy (CIS_TRUSTED_PROXIES=1): each simulated client is the
 * X-Forwarded-For entry it sends. The queue workers run in their own process meanwhile.
 *
 * Then, after waiting (bounded) for the queues to drain, the account: every message mailed in
 * is in the mail log with its final outcome; every invitation queued is `sent` with exactly
 * one message at the SES stand-in, or `failed`/`unknown` with a reason; every message SES took
 * has exactly one send record naming it (nothing sent twice, nothing sent unrecorded); and the
 * form's limits held: accepted requests per client and per event within their windows'
 * limits, every refusal the documented 429 sentence, mail to one address within its limits.
 */
import { randomUUID } from 'node:crypto'
import nodemailer from 'nodemailer'
import { EntityRepository, QueryCommand } from 'dynamodb-toolbox'
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs'
import { MailLogEntity, SendRecordEntity, keys, table, type MailOutcome } from '../../server/aws/table'
import { inBatches } from '../bench/process-figures'
import { clients } from '../../server/aws/clients'
import { config } from '../../server/config'
import { queueUrl, type QueueName } from '../../server/aws/queue'
import { createApiToken } from '../../server/services/api-tokens'
import { loadEvent } from '../../server/services/event-store'
import { setEventListed } from '../../server/services/public-events'
import { listInvitations } from '../../server/services/invitations'
import { INVITE_REQUEST_CLIENT_LIMITED, INVITE_REQUEST_EVENT_LIMITED, INVITE_REQUEST_LIMITS } from '../../server/services/invite-requests'
import { LOCAL_HOST } from '../../server/local/ports'

export interface MixedLoadOptions {
  /** The built server, trusting one proxy. */
  baseUrl: string
  smtpPort: number
  seconds: number
  /** Invitations in the bulk send. */
  bulkRows: number
  /** Concurrent loops per kind. */
  concurrency?: { mail?: number; api?: number; pages?: number }
  /** How long to wait for the queues to drain without progress (seconds, default 60), and in all (default 300). */
  drainSeconds?: number
  drainLimitSeconds?: number
  /** Requests of each kind of form abuse. */
  abuse?: { sameAddress?: number; sameClient?: number; sameEvent?: number }
  log?: (line: string) => void
}

export type LoadKind = 'mail in (SMTP)' | 'dashboard API' | 'public pages' | 'bulk send (batch API)' | 'public form'

export interface KindFigures {
  kind: LoadKind
  count: number
  perSecond: number
  p50: number
  p99: number
  errors: number
}

export interface LimitFigure {
  what: string
  limit: string
  observed: string
  held: boolean
}

export interface MixedLoadReport {
  seconds: number
  kinds: KindFigures[]
  /** Mail log outcomes of the messages mailed in. */
  inbound: { mailed: number; final: number; wrongOutcome: number; outcomes: Record<string, number> }
  invitations: { queued: number; sentOnce: number; failedWithReason: number; sentTwice: number; unsent: number }
  /** Messages the SES front kept (raw bytes), those in the stand-in's own store, and their send records. */
  ses: { messages: number; inStore: number; withOneRecord: number; withoutRecord: number; perSecond: number }
  limits: LimitFigure[]
  drainedIn: number | null
  /** The first few errors, as sentences. */
  errorSamples: string[]
  mailed: number
  accounted: number
  lost: number
  errors: number
}

const PER_CLIENT_WINDOW_MS = 15 * 60_000
const PER_ADDRESS_WINDOW_MS = 60 * 60_000

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]! : 0)
/** Fixed windows of `ms` that [from, to] touches: a limit per window allows that many times the limit in this span. */
const windowsTouched = (from: number, to: number, ms: number) => Math.floor(to / ms) - Math.floor(from / ms) + 1
const icalTime = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

class Recorder {
  latencies = new Map<LoadKind, number[]>()
  errorCounts = new Map<LoadKind, number>()
  samples: string[] = []
  constructor(readonly kinds: LoadKind[]) {
    for (const kind of kinds) {
      this.latencies.set(kind, [])
      this.errorCounts.set(kind, 0)
    }
  }
  ok(kind: LoadKind, ms: number) {
    this.latencies.get(kind)!.push(ms)
  }
  error(kind: LoadKind, sentence: string, ms?: number) {
    if (ms !== undefined) this.latencies.get(kind)!.push(ms)
    this.errorCounts.set(kind, (this.errorCounts.get(kind) ?? 0) + 1)
    if (this.samples.length < 20) this.samples.push(`${kind}: ${sentence}`)
  }
  /** An error found while accounting, not while a request ran. */
  finding(sentence: string) {
    if (this.samples.length < 20) this.samples.push(sentence)
  }
  figures(seconds: number): KindFigures[] {
    return this.kinds.map((kind) => {
      const sorted = [...this.latencies.get(kind)!].sort((a, b) => a - b)
      return { kind, count: sorted.length, perSecond: sorted.length / seconds, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), errors: this.errorCounts.get(kind) ?? 0 }
    })
  }
}

interface MailedEvent {
  uid: string
  sequence: number
  attendees: string[]
  /** The mail log key of the last message mailed about it, and the outcome it must get. */
  pending?: { key: string; expected: MailOutcome }
}

interface Mailed {
  key: string
  expected: MailOutcome
}

export async function runMixedLoad(options: MixedLoadOptions): Promise<MixedLoadReport> {
  const log = options.log ?? (() => {})
  const run = randomUUID().slice(0, 8)
  const domain = `load-${run}.example`
  const organizer = `olga@${domain}`
  const cfg = config()
  const recorder = new Recorder(['mail in (SMTP)', 'dashboard API', 'public pages', 'bulk send (batch API)', 'public form'])
  const transport = nodemailer.createTransport({ host: LOCAL_HOST, port: options.smtpPort, secure: false, ignoreTLS: true, pool: true, maxConnections: 4 })
  const mailed: Mailed[] = []

  /** Mails `raw` from `from` to one of the server's mailboxes; the key it is stored under. */
  async function mailIn(from: string, mailbox: 'create' | 'rsvp', raw: string): Promise<string> {
    const info = await transport.sendMail({ envelope: { from, to: [cfg.mailboxes[mailbox]] }, raw })
    const id = /Ok ([0-9a-v]{40})/.exec(info.response)?.[1]
    if (!id) throw new Error(`the SMTP receiver answered ${JSON.stringify(info.response)}, without the stored message's id`)
    return `${mailbox}/${id}`
  }

  const calendarMessage = (from: string, to: string, method: 'REQUEST' | 'REPLY', vevent: string[]) =>
    [
      `From: <${from}>`,
      `To: <${to}>`,
      `Subject: ${method} under load`,
      `Message-ID: <${randomUUID()}@${domain}>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      `Content-Type: text/calendar; charset=UTF-8; method=${method}`,
      '',
      ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//CIS load//EN', `METHOD:${method}`, 'BEGIN:VEVENT', ...vevent, 'END:VEVENT', 'END:VCALENDAR'].join('\r\n'),
      '',
    ].join('\r\n')

  const invitation = (event: MailedEvent, summary: string) =>
    calendarMessage(organizer, cfg.mailboxes.create, 'REQUEST', [
      `UID:${event.uid}`,
      `SEQUENCE:${event.sequence}`,
      `DTSTAMP:${icalTime(new Date())}`,
      'DTSTART:20270615T160000Z',
      'DTEND:20270615T170000Z',
      `SUMMARY:${summary}`,
      `LOCATION:Hall ${event.sequence % 7}`,
      `ORGANIZER;CN=Olga Load:mailto:${organizer}`,
      ...event.attendees.map((attendee) => `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${attendee}`),
    ])

  const reply = (event: MailedEvent, attendee: string, partstat: string) =>
    calendarMessage(attendee, cfg.mailboxes.rsvp, 'REPLY', [
      `UID:${event.uid}`,
      `SEQUENCE:${event.sequence}`,
      `DTSTAMP:${icalTime(new Date())}`,
      `ORGANIZER:mailto:${organizer}`,
      `ATTENDEE;PARTSTAT=${partstat}:mailto:${attendee}`,
    ])

  let eventCount = 0
  const newEvent = (): MailedEvent => {
    const n = eventCount++
    return { uid: `load-${run}-${n}@${domain}`, sequence: 0, attendees: [1, 2, 3].map((a) => `guest${n}-${a}@guests-${run}.example`) }
  }

  const mailLog = MailLogEntity.build(EntityRepository)
  const finalOutcome = async (key: string) => {
    const { Item } = await mailLog.get({ key }, { consistent: true })
    return Item && Item.outcome !== 'received' ? Item : null
  }

  /** Mails a new event and waits (bounded) for it to be created: the setup, not the load. */
  async function createdEvent(summary: string) {
    const event = newEvent()
    const key = await mailIn(organizer, 'create', invitation(event, summary))
    mailed.push({ key, expected: 'created' })
    for (let i = 0; i < 300; i++) {
      const stored = await loadEvent(event.uid)
      if (stored?.publicId) return { event, stored }
      await sleep(200)
    }
    throw new Error(`the event ${event.uid} mailed in for the load was not created within 60 s; are the queue workers running?`)
  }

  // ——— Setup: the bulk event, two events for the form, one for the pages, an API token.
  const setupStarted = Date.now()
  log(`run ${run}: setting up (events mailed in, an API token)…`)
  const [bulkEvent, formEventA, formEventB] = await Promise.all([createdEvent('Bulk send under load'), createdEvent('Form abuse: address and client'), createdEvent('Form abuse: event')])
  // One event listed, so the site's list and the domain's feed have it; the others stay unlisted (their pages noindex).
  const pageEvent = formEventA
  await setEventListed(pageEvent.event.uid, true)
  const { token } = await createApiToken(organizer, `load ${run}`)
  const api = { authorization: `Bearer ${token}` }

  const started = Date.now()
  const deadline = started + options.seconds * 1000
  const running = () => Date.now() < deadline

  // ——— Inbound mail: each loop owns its events, one message per event in flight.
  const mailLoop = async () => {
    const own: MailedEvent[] = []
    while (running()) {
      const settled: MailedEvent[] = []
      for (const event of own) {
        if (!event.pending) settled.push(event)
        else if (await finalOutcome(event.pending.key)) {
          event.pending = undefined
          settled.push(event)
        }
      }
      const roll = Math.random()
      let event: MailedEvent
      let from = organizer
      let mailbox: 'create' | 'rsvp' = 'create'
      let raw: string
      let expected: MailOutcome
      if (!settled.length || roll < 0.3) {
        event = newEvent()
        own.push(event)
        raw = invitation(event, `Load event ${event.uid}`)
        expected = 'created'
      } else if (roll < 0.6) {
        event = settled[Math.floor(Math.random() * settled.length)]!
        event.sequence += 1
        raw = invitation(event, `Load event ${event.uid}, version ${event.sequence}`)
        expected = 'updated'
      } else {
        event = settled[Math.floor(Math.random() * settled.length)]!
        from = event.attendees[Math.floor(Math.random() * event.attendees.length)]!
        mailbox = 'rsvp'
        raw = reply(event, from, Math.random() < 0.5 ? 'ACCEPTED' : 'DECLINED')
        expected = 'reply'
      }
      const begun = performance.now()
      try {
        const key = await mailIn(from, mailbox, raw)
        recorder.ok('mail in (SMTP)', performance.now() - begun)
        event.pending = { key, expected }
        mailed.push({ key, expected })
      } catch (error) {
        recorder.error('mail in (SMTP)', (error as Error).message, performance.now() - begun)
      }
    }
  }

  /** GETs `path`, recording its latency under `kind`; anything but `expect` is an error. */
  async function get(kind: LoadKind, path: string, headers: Record<string, string> = {}, expect = 200) {
    const begun = performance.now()
    try {
      const answer = await fetch(`${options.baseUrl}${path}`, { headers })
      await answer.arrayBuffer()
      if (answer.status === expect) recorder.ok(kind, performance.now() - begun)
      else recorder.error(kind, `GET ${path} answered ${answer.status}`, performance.now() - begun)
    } catch (error) {
      recorder.error(kind, `GET ${path}: ${(error as Error).message}`, performance.now() - begun)
    }
  }

  const apiPaths = [
    '/api/events?view=upcoming',
    `/api/events/${encodeURIComponent(bulkEvent.event.uid)}`,
    `/api/events/${encodeURIComponent(bulkEvent.event.uid)}/attendees`,
    `/api/events/${encodeURIComponent(pageEvent.event.uid)}/attendees`,
  ]
  const apiLoop = async () => {
    for (let i = 0; running(); i++) await get('dashboard API', apiPaths[i % apiPaths.length]!, api)
  }
  const publicId = pageEvent.stored.publicId!
  const pagePaths = ['/', `/events/${publicId}`, `/api/public/events/${publicId}`, `/events/${publicId}/event.ics`, `/domains/${domain}/events.ics`, `/events/${formEventB.stored.publicId}`]
  const pageLoop = async () => {
    for (let i = 0; running(); i++) await get('public pages', pagePaths[i % pagePaths.length]!)
  }

  // ——— The bulk send, 1,000 rows a call (the API's most).
  let queuedInvitations = 0
  const bulkAddresses = Array.from({ length: options.bulkRows }, (_, i) => `vip${i}@vips-${run}.example`)
  const bulkSend = async () => {
    for (let start = 0; start < bulkAddresses.length && running(); start += 1000) {
      const rows = bulkAddresses.slice(start, start + 1000).map((email, i) => ({ uid: bulkEvent.event.uid, email, name: `VIP ${start + i}` }))
      const begun = performance.now()
      try {
        const answer = await fetch(`${options.baseUrl}/api/invites/batch`, { method: 'POST', headers: { ...api, 'content-type': 'application/json' }, body: JSON.stringify(rows) })
        const body = (await answer.json()) as { queued?: number; refused?: number; results?: { outcome: string; reason?: string }[] }
        if (answer.status !== 202) recorder.error('bulk send (batch API)', `POST /api/invites/batch answered ${answer.status}`, performance.now() - begun)
        else {
          queuedInvitations += body.queued ?? 0
          if (body.queued !== rows.length) recorder.error('bulk send (batch API)', `${rows.length - (body.queued ?? 0)} of ${rows.length} rows not queued (${body.results?.find((r) => r.outcome !== 'queued')?.reason})`, performance.now() - begun)
          else recorder.ok('bulk send (batch API)', performance.now() - begun)
        }
      } catch (error) {
        recorder.error('bulk send (batch API)', `POST /api/invites/batch: ${(error as Error).message}`, performance.now() - begun)
      }
    }
  }

  // ——— Public-form abuse, spread over the run. Each simulated client is an X-Forwarded-For entry.
  const clientOctet = Math.floor(Math.random() * 200) + 20
  let clientCount = 0
  const newClient = () => {
    const n = clientCount++
    return `10.${clientOctet}.${Math.floor(n / 250)}.${(n % 250) + 1}`
  }
  interface FormAnswer {
    at: number
    status: number
    message: string
  }
  const askInvite = async (eventPublicId: string, email: string, client: string): Promise<FormAnswer | null> => {
    const begun = performance.now()
    try {
      const answer = await fetch(`${options.baseUrl}/api/public/events/${eventPublicId}/invite-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
        body: JSON.stringify({ email }),
      })
      const body = (await answer.json().catch(() => ({}))) as { message?: string }
      const ms = performance.now() - begun
      if (answer.status === 202 || answer.status === 429) recorder.ok('public form', ms)
      else recorder.error('public form', `the invite request answered ${answer.status} (${body.message})`, ms)
      return { at: Date.now(), status: answer.status, message: body.message ?? '' }
    } catch (error) {
      recorder.error('public form', `the invite request: ${(error as Error).message}`, performance.now() - begun)
      return null
    }
  }
  const abuse = { sameAddress: options.abuse?.sameAddress ?? 12, sameClient: options.abuse?.sameClient ?? 30, sameEvent: options.abuse?.sameEvent ?? 340 }
  const abuseTarget = `target@targets-${run}.example`
  const abuseClient = newClient()
  const sameEventAddresses = Array.from({ length: abuse.sameEvent }, (_, i) => `crowd${i}@crowd-${run}.example`)
  const sameClientAddresses = Array.from({ length: abuse.sameClient }, (_, i) => `cycled${i}@cycled-${run}.example`)
  const answers = { sameAddress: [] as FormAnswer[], sameClient: [] as FormAnswer[], sameEvent: [] as FormAnswer[] }
  /** Runs `count` requests evenly over the first 80% of the run (so they meet the load), 8 at a time at most. */
  const spread = async (count: number, ask: (i: number) => Promise<FormAnswer | null>, into: FormAnswer[]) => {
    const interval = (options.seconds * 800) / Math.max(1, count)
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const i = next++
          const due = started + i * interval
          if (due > Date.now()) await sleep(due - Date.now())
          const answer = await ask(i)
          if (answer) into.push(answer)
        }
      }),
    )
  }
  const formAbuse = () =>
    Promise.all([
      spread(abuse.sameAddress, () => askInvite(formEventA.stored.publicId!, abuseTarget, newClient()), answers.sameAddress),
      spread(abuse.sameClient, (i) => askInvite(formEventA.stored.publicId!, sameClientAddresses[i]!, abuseClient), answers.sameClient),
      spread(abuse.sameEvent, (i) => askInvite(formEventB.stored.publicId!, sameEventAddresses[i]!, newClient()), answers.sameEvent),
    ])

  log(`load: ${options.seconds} s of mail in, dashboard API, public pages, a bulk send of ${options.bulkRows} and form abuse…`)
  const concurrency = { mail: 2, api: 4, pages: 4, ...options.concurrency }
  await Promise.all([
    ...Array.from({ length: concurrency.mail }, mailLoop),
    ...Array.from({ length: concurrency.api }, apiLoop),
    ...Array.from({ length: concurrency.pages }, pageLoop),
    bulkSend(),
    formAbuse(),
  ])
  const loadEnded = Date.now()
  const seconds = (loadEnded - started) / 1000
  transport.close()

  // ——— Drain: the queues empty twice in a row and every message mailed in final; given up
  // after `drainSeconds` without progress (or `drainLimitSeconds` in all).
  log('load over; waiting for the queues to drain…')
  const queued = async (queue: QueueName) => {
    const { Attributes } = await clients().sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: await queueUrl(queue), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    )
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  }
  const finals = new Map<string, { outcome: MailOutcome; reason?: string }>()
  let drainedIn: number | null = null
  let emptyRounds = 0
  let least = Infinity
  let progressAt = Date.now()
  const giveUpAt = loadEnded + (options.drainLimitSeconds ?? 300) * 1000
  while (Date.now() < giveUpAt && Date.now() < progressAt + (options.drainSeconds ?? 60) * 1000) {
    for (const message of mailed) {
      if (finals.has(message.key)) continue
      const item = await finalOutcome(message.key)
      if (item) finals.set(message.key, item)
    }
    const waiting = (await queued('inbound')) + (await queued('send')) + mailed.length - finals.size
    if (waiting < least) {
      least = waiting
      progressAt = Date.now()
    }
    emptyRounds = waiting === 0 ? emptyRounds + 1 : 0
    if (emptyRounds >= 2) {
      drainedIn = (Date.now() - loadEnded) / 1000
      break
    }
    await sleep(1000)
  }

  // ——— The account.
  let errors = [...recorder.errorCounts.values()].reduce((a, b) => a + b, 0)
  const error = (sentence: string) => {
    errors++
    recorder.finding(sentence)
  }
  const outcomes: Record<string, number> = {}
  let wrongOutcome = 0
  for (const message of mailed) {
    const final = finals.get(message.key)
    if (!final) continue
    outcomes[final.outcome] = (outcomes[final.outcome] ?? 0) + 1
    // An attendee drawn twice may repeat an answer within one DTSTAMP second: the server
    // rightly keeps the first and logs the repeat as already recorded.
    const repeatedReply = message.expected === 'reply' && final.outcome === 'ignored' && /was already recorded/.test(final.reason ?? '')
    if (final.outcome !== message.expected && !repeatedReply) {
      wrongOutcome++
      error(`${message.key} is logged ${final.outcome} (${final.reason ?? 'no reason'}), not ${message.expected}`)
    }
  }
  for (const message of mailed.filter((m) => !finals.has(m.key))) recorder.finding(`lost: ${message.key} has no final outcome in the mail log`)

  // The invitations first: one read as sent was sent before it was marked, so its message is at SES by the time SES is read.
  const invitationsOf: { email: string; status: string; error: string | null }[] = []
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await listInvitations(bulkEvent.event.uid, { limit: 500, cursor })
    invitationsOf.push(...page.invitations)
    cursor = page.cursor ?? undefined
  }
  const sesMessages = (await (await fetch(`${cfg.endpoints.ses}/raw/messages?since=${Math.floor(setupStarted / 1000) * 1000}`)).json()) as { messages: { messageId: string; to: string[]; at: number }[] }
  // What the stand-in itself got (its `/store`, by the second) against what its front kept byte for byte.
  const store = (await (await fetch(`${cfg.endpoints.ses}/store?since=${Math.floor(setupStarted / 1000)}`)).json()) as { emails: unknown[] }
  const mailTo = new Map<string, number>()
  for (const message of sesMessages.messages) for (const to of message.to) mailTo.set(to.toLowerCase(), (mailTo.get(to.toLowerCase()) ?? 0) + 1)

  const invitationStats = { queued: queuedInvitations, sentOnce: 0, failedWithReason: 0, sentTwice: 0, unsent: 0 }
  for (const item of invitationsOf) {
    const times = mailTo.get(item.email.toLowerCase()) ?? 0
    if (item.status === 'sent' && times === 1) invitationStats.sentOnce++
    else if ((item.status === 'failed' || item.status === 'unknown') && item.error) invitationStats.failedWithReason++
    else if (times > 1) {
      invitationStats.sentTwice++
      error(`the invitation to ${item.email} was sent ${times} times`)
    } else {
      invitationStats.unsent++
      recorder.finding(`lost: the invitation to ${item.email} is ${item.status}, with ${times} messages at SES`)
    }
  }

  // Every message SES took, against the send records: exactly one names it (a second
  // delivery of a job, or the same change queued twice, would be a second message).
  const sentAt = sesMessages.messages.map((m) => m.at)
  // Messages a second from the first to the last: the send workers' pace under this load.
  const perSecond = sentAt.length > 1 ? ((sentAt.length - 1) * 1000) / Math.max(1, Math.max(...sentAt) - Math.min(...sentAt)) : 0
  const ses = { messages: sesMessages.messages.length, inStore: store.emails.length, withOneRecord: 0, withoutRecord: 0, perSecond }
  if (ses.inStore < ses.messages) error(`the SES stand-in's store has ${ses.inStore} messages, fewer than the ${ses.messages} its front kept`)
  await inBatches(sesMessages.messages.length, 8, async (i) => {
    const message = sesMessages.messages[i]!
    const page = await table
      .build(QueryCommand)
      .entities(SendRecordEntity)
      .query({ index: 'gsi2', partition: keys.sesMessage(message.messageId) })
      .send()
    const count = (page.Items ?? []).filter((record) => record.status === 'sent').length
    if (count === 1) ses.withOneRecord++
    else {
      ses.withoutRecord++
      error(`SES message ${message.messageId} to ${message.to.join(', ')} has ${count} send records marked sent`)
    }
  })

  // The form's limits.
  const limits: LimitFigure[] = []
  const span = (list: FormAnswer[]) => (list.length ? [Math.min(...list.map((a) => a.at)), Math.max(...list.map((a) => a.at))] : [started, started]) as [number, number]
  const limitHeld = (what: string, list: FormAnswer[], perWindow: number, windowMs: number, sentence: string) => {
    const allowed = perWindow * windowsTouched(...span(list), windowMs)
    const accepted = list.filter((a) => a.status === 202).length
    const wrong = list.filter((a) => a.status === 429 && a.message !== sentence).length
    const refused = list.filter((a) => a.status === 429).length
    const held = accepted <= allowed && wrong === 0 && (list.length <= allowed || refused > 0)
    if (!held) error(`limit broken: ${what}: ${accepted} accepted (at most ${allowed}), ${refused} refused, ${wrong} with another sentence`)
    limits.push({ what, limit: `${perWindow} per ${windowMs / 60_000} min`, observed: `${accepted} of ${list.length} accepted, ${refused} answered 429 "${sentence}"`, held })
  }
  limitHeld('one client, many addresses', answers.sameClient, INVITE_REQUEST_LIMITS.perClient, PER_CLIENT_WINDOW_MS, INVITE_REQUEST_CLIENT_LIMITED)
  limitHeld('one event, many clients', answers.sameEvent, INVITE_REQUEST_LIMITS.perEvent, PER_CLIENT_WINDOW_MS, INVITE_REQUEST_EVENT_LIMITED)
  {
    const accepted = answers.sameAddress.filter((a) => a.status === 202).length
    const allowed = Math.min(INVITE_REQUEST_LIMITS.perAddressPerDay, INVITE_REQUEST_LIMITS.perAddressPerHour * windowsTouched(...span(answers.sameAddress), PER_ADDRESS_WINDOW_MS))
    const mails = mailTo.get(abuseTarget) ?? 0
    // Every request for it is accepted with the one sentence (nothing tells an address apart), and it gets at most its limit, at least one.
    const held = accepted === answers.sameAddress.length && mails <= allowed && mails >= Math.min(1, accepted)
    if (!held) error(`limit broken: one address: ${accepted} of ${answers.sameAddress.length} requests accepted, ${mails} mails (at most ${allowed})`)
    limits.push({ what: 'one address, many clients', limit: `${INVITE_REQUEST_LIMITS.perAddressPerHour} mails per hour, ${INVITE_REQUEST_LIMITS.perAddressPerDay} a day`, observed: `${accepted} of ${answers.sameAddress.length} accepted (202), ${mails} mailed`, held })
  }
  {
    const accepted = answers.sameEvent.filter((a) => a.status === 202).length
    const mails = sameEventAddresses.reduce((sum, address) => sum + (mailTo.get(address) ?? 0), 0)
    const held = mails <= accepted
    if (!held) error(`limit broken: ${mails} confirmations mailed for one event, more than the ${accepted} requests accepted`)
    limits.push({ what: 'confirmations mailed for one event', limit: `≤ accepted (${INVITE_REQUEST_LIMITS.perEvent} per 15 min)`, observed: `${mails} mailed for ${accepted} accepted`, held })
  }

  const accountedIn = finals.size
  const accountedInvitations = invitationStats.sentOnce + invitationStats.failedWithReason
  const mailedTotal = mailed.length + queuedInvitations
  const accounted = accountedIn + accountedInvitations
  return {
    seconds,
    kinds: recorder.figures(seconds),
    inbound: { mailed: mailed.length, final: finals.size, wrongOutcome, outcomes },
    invitations: invitationStats,
    ses,
    limits,
    drainedIn,
    errorSamples: recorder.samples,
    mailed: mailedTotal,
    accounted,
    lost: mailedTotal - accounted,
    errors,
  }
}

/** The report as lines; the last is `load: M messages mailed, A accounted, L lost, E errors`. */
export function reportLines(report: MixedLoadReport): string[] {
  const lines = [`${report.seconds.toFixed(1)} s of mixed load`, '', `   ${'kind'.padEnd(24)} ${'count'.padStart(6)} ${'per s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(6)}`]
  for (const kind of report.kinds) {
    lines.push(`   ${kind.kind.padEnd(24)} ${String(kind.count).padStart(6)} ${kind.perSecond.toFixed(1).padStart(7)} ${kind.p50.toFixed(0).padStart(7)} ${kind.p99.toFixed(0).padStart(7)} ${String(kind.errors).padStart(6)}`)
  }
  const outcomes = Object.entries(report.inbound.outcomes).map(([outcome, n]) => `${outcome} ${n}`).join(', ')
  lines.push(
    '',
    `mail in: ${report.inbound.mailed} mailed through SMTP, ${report.inbound.final} in the mail log with a final outcome (${outcomes || 'none'}), ${report.inbound.wrongOutcome} not the expected one`,
    `invitations: ${report.invitations.queued} queued, ${report.invitations.sentOnce} sent exactly once, ${report.invitations.failedWithReason} failed with a reason, ${report.invitations.sentTwice} sent twice, ${report.invitations.unsent} neither`,
    `SES stand-in: ${report.ses.messages} messages kept byte for byte (${report.ses.inStore} in its store; ${report.ses.perSecond.toFixed(1)} a second), ${report.ses.withOneRecord} with exactly one send record, ${report.ses.withoutRecord} without`,
    `queues drained ${report.drainedIn === null ? 'NOT within the wait' : `${report.drainedIn.toFixed(1)} s after the load`}`,
    '',
    'public form limits:',
    ...report.limits.map((limit) => `   ${limit.held ? 'held  ' : 'BROKEN'} ${limit.what} (${limit.limit}): ${limit.observed}`),
  )
  if (report.errorSamples.length) lines.push('', 'first problems:', ...report.errorSamples.map((sample) => `   ${sample}`))
  lines.push('', `load: ${report.mailed} messages mailed, ${report.accounted} accounted, ${report.lost} lost, ${report.errors} errors`)
  return lines
}
