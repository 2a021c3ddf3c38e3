/**
 * Faults in the middle of a bulk send and of inbound processing: each stand-in of a stack of
 * processes of this file's own (tests/support/standin-stack.ts) is stopped (SIGSTOP, then
 * SIGCONT) and then killed (SIGKILL) and started again on its port with its data, and so are
 * the send worker and the inbound handler. The moment of each fault is chosen by observed
 * progress (messages in SES, entries in the mail log), never by time.
 *
 * The account after each: every invitation sent exactly once, or visibly `unknown`/`failed`
 * with a sentence, never twice (deliveries counted as SES accepted them, across its
 * restarts); every mailed message processed once (one mail log entry), or parked in the
 * inbound dead-letter queue.
 */
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomUUID } from 'node:crypto'
import nodemailer from 'nodemailer'
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import { resetConfig } from '../../../server/config'
import { resetClients } from '../../../server/aws/clients'
import { queueUrl, resetQueueUrls } from '../../../server/aws/queue'
import { loadEvent } from '../../../server/services/event-store'
import { inviteMany, listInvitations } from '../../../server/services/invitations'
import { listMailLogSince } from '../../../server/services/mail-log'
import { startStandinStack, type StandinName, type StandinStack } from '../../support/standin-stack'
import { imip, organizerCreatesEvent } from '../support'

const WORKER_SCRIPT = fileURLToPath(new URL('../../support/queue-worker-process.ts', import.meta.url))
const INVITATIONS = 30
const INBOUND = 12
/** How long a stopped stand-in stays stopped: the fault itself, not a wait for anything. */
const STOPPED_MS = 1000
const FINAL = new Set(['sent', 'unknown', 'failed'])

let stack: StandinStack
let dataDir: string
const workers: Partial<Record<'send' | 'inbound', ChildProcess>> = {}
const previousEnv: Record<string, string | undefined> = {}

/** Polls `check` until it returns a value other than undefined, for at most `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function startWorker(queue: 'send' | 'inbound') {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT, queue], {
    env: {
      ...process.env,
      // Fifteen a second: a send of 30 lasts long enough to be interrupted.
      CIS_SEND_RATE: '15',
      CIS_TEST_VISIBILITY_SECONDS: '5',
      CIS_TEST_BACKOFF_SECONDS: '1',
      CIS_TEST_CLAIM_LEASE_MS: '3000',
    },
    stdio: ['ignore', 'pipe', process.env.CIS_FAULTS_VERBOSE ? 'inherit' : 'ignore'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve())
    child.once('exit', (code) => reject(new Error(`The ${queue} worker exited while starting (${code}).`)))
  })
  child.stdout!.resume()
  workers[queue] = child
}

async function killWorker(queue: 'send' | 'inbound') {
  const child = workers[queue]!
  child.kill('SIGKILL')
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve))
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cis-faults-'))
  // Five attempts (backoff 1, 2, 4, 8 s) outlast a stand-in's restart on a busy machine.
  stack = await startStandinStack({ dataDir, env: { CIS_SEND_MAX_ATTEMPTS: '5' } })
  // This file's code talks to its own stack, not the shared one the setup file named.
  for (const name of new Set([...Object.keys(inject('localStackEnv')), ...Object.keys(stack.env)])) {
    previousEnv[name] = process.env[name]
    if (stack.env[name] === undefined) delete process.env[name]
    else process.env[name] = stack.env[name]
  }
  resetConfig()
  resetClients()
  resetQueueUrls()
  await Promise.all([startWorker('send'), startWorker('inbound')])
}, 120_000)

afterAll(async () => {
  await Promise.all((['send', 'inbound'] as const).filter((queue) => workers[queue]).map(killWorker))
  await stack?.stop()
  for (const [name, value] of Object.entries(previousEnv)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  resetConfig()
  resetClients()
  resetQueueUrls()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

/** Mails `count` new organizers' invitations to create@ over SMTP, retrying each as an MTA would while the server refuses. */
async function mailInbound(tag: string, from: number, count: number) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: stack.standins.smtp.port, secure: false, ignoreTLS: true })
  try {
    for (let index = from; index < from + count; index++) {
      const organizer = `org${index}@${tag}.example`
      const raw = imip(organizer, stack.config.mailboxes.create, 'REQUEST', [
        'BEGIN:VEVENT',
        `UID:inbound-${index}-${tag}@test`,
        'SEQUENCE:0',
        'DTSTAMP:20261120T100000Z',
        'DTSTART:20270115T090000Z',
        'DTEND:20270115T100000Z',
        `SUMMARY:fault ${tag} ${index}`,
        `ORGANIZER:mailto:${organizer}`,
        'END:VEVENT',
      ]).replace(/^Subject: .*$/m, `Subject: fault ${tag} ${index}`)
      await until(`SMTP to accept message ${index}`, async () => {
        try {
          await transport.sendMail({ envelope: { from: organizer, to: [stack.config.mailboxes.create] }, raw })
          return true
        } catch {
          return undefined
        }
      })
    }
  } finally {
    transport.close()
  }
}

interface Run {
  tag: string
  eventUid: string
  since: Date
  /** Mails the rest of the inbound messages (call it during the fault). */
  mailRest(): Promise<void>
}

/** An event of a new organizer with its invitations queued. */
async function queueBulkSend(tag: string): Promise<string> {
  const eventUid = `bulk-${tag}@test`
  const organizer = `sender@${tag}.example`
  await organizerCreatesEvent(eventUid, organizer)
  const event = (await loadEvent(eventUid))!
  const rows = Array.from({ length: INVITATIONS }, (_, index) => ({ email: `guest${index}@${guestDomain(tag)}` }))
  const results = await inviteMany(event, rows, { origin: 'api', invitedBy: organizer })
  expect(results.every((result) => result.outcome === 'queued')).toBe(true)
  return eventUid
}

/** A bulk send and the first half of the inbound mail on their way; resolves once both are under way. */
async function startRun(): Promise<Run> {
  const tag = randomUUID().slice(0, 8)
  const since = new Date(Date.now() - 1000)
  const eventUid = await queueBulkSend(tag)
  const firstHalf = mailInbound(tag, 0, INBOUND / 2)
  // The fault comes once both are under way: some invitations in SES, some mail logged.
  await until('the first invitations in SES', async () => ((await sentTo(tag)).length >= 8 ? true : undefined))
  await firstHalf
  return { tag, eventUid, since, mailRest: () => mailInbound(tag, INBOUND / 2, INBOUND - INBOUND / 2) }
}

/** Resolves once SES has accepted nothing more of the run's mail for a second (within 20 s). */
async function untilQuiet(tag: string) {
  let count = -1
  let since = Date.now()
  await until('sending to come to a halt', async () => {
    const now = (await sentTo(tag)).length
    if (now !== count) [count, since] = [now, Date.now()]
    return Date.now() - since >= 1000 ? true : undefined
  }, 20_000)
}

/** Where a run's invitations go; its organizers are at `<tag>.example`. */
const guestDomain = (tag: string) => `guests.${tag}.example`
/** Every address a run's mail went to, once per message SES accepted. */
const sentTo = async (tag: string) => (await stack.sesSent()).flatMap((message) => message.to).filter((to) => to.endsWith(`${tag}.example`))

/** Waits for the run to settle, then checks the account of every invitation and every mailed message. */
async function checkAccount(run: Run) {
  await checkInvitations(run)
  await checkInbound(run)
}

/** Waits for every invitation to be final; each is sent exactly once, or not sent and says why. */
async function checkInvitations(run: Pick<Run, 'tag' | 'eventUid'>) {
  const invitations = await until('every invitation to be sent or to have failed visibly', async () => {
    const { invitations } = await listInvitations(run.eventUid, { limit: 100 })
    return invitations.length === INVITATIONS && invitations.every((invitation) => FINAL.has(invitation.status)) ? invitations : undefined
  })
  const deliveries = await sentTo(run.tag)
  const perRecipient = new Map<string, number>()
  for (const to of deliveries) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1)
  // Never twice.
  expect([...perRecipient].filter(([, count]) => count > 1)).toEqual([])
  for (const invitation of invitations) {
    if (invitation.status === 'sent') expect(perRecipient.get(invitation.email), invitation.email).toBe(1)
    else expect(invitation.error, `${invitation.email} is ${invitation.status}`).toMatch(/\w+ \w+/)
  }
  // A fault costs the certainty of the sends it interrupted (`unknown`), not the list: at most
  // one receive batch of the send queue (10), however long a busy machine keeps the stand-in down.
  expect(invitations.filter((invitation) => invitation.status !== 'sent').length).toBeLessThanOrEqual(10)
  return invitations
}

/**
 * Waits for every mailed message to be logged or parked; each is logged once, as the event it
 * created, or, where the table went away after the event was written and before its log line
 * was, as already applied by the delivery that wrote the event.
 */
async function checkInbound(run: Run) {
  const account = await until('every mailed message to be logged or parked', async () => {
    const logged = (await listMailLogSince(run.since)).filter((entry) => entry.subject.startsWith(`fault ${run.tag} `))
    const parked = await parkedInbound()
    return logged.length + parked >= INBOUND ? { logged, parked } : undefined
  })
  const subjects = account.logged.map((entry) => entry.subject)
  expect(subjects.length, 'each message logged once').toBe(new Set(subjects).size)
  expect(account.logged.length + account.parked).toBe(INBOUND)
  for (const entry of account.logged) {
    if (entry.outcome !== 'created') expect(entry, entry.subject).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/^Already applied/) })
  }
}

/** Messages in the inbound dead-letter queue (read with visibility 0, so they stay). */
async function parkedInbound(): Promise<number> {
  const answer = await stack.clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: await queueUrl('inboundDeadLetter'), MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
  )
  return answer.Messages?.length ?? 0
}

describe('faults in the stand-ins, mid bulk send and mid inbound processing', () => {
  const standins: [string, StandinName][] = [
    ['DynamoDB Local', 'dynamodb'],
    ['the S3 stand-in (s3rver)', 's3'],
    ['the SQS stand-in (fauxqs)', 'sqs'],
    ['the SES stand-in', 'ses'],
  ]
  it.each(standins)('%s stopped, then killed and started again: each invitation once, each message once', async (_label, name) => {
    const run = await startRun()
    const standin = stack.standins[name]
    standin.pause()
    const rest = run.mailRest()
    await new Promise((resolve) => setTimeout(resolve, STOPPED_MS))
    standin.resume()
    const before = (await sentTo(run.tag)).length
    await until('sending to go on after the stop', async () => ((await sentTo(run.tag)).length > before ? true : undefined))
    await standin.kill()
    // Dead until the workers have run out of what they could do without it (the send worker
    // finishes the batch in hand; its delete then fails, so that batch comes again).
    await untilQuiet(run.tag)
    await standin.restart()
    await rest
    await checkAccount(run)
  }, 90_000)
})

describe('faults in the workers', () => {
  it('the send worker and the inbound handler killed mid-batch: each invitation once, each message once', async () => {
    const run = await startRun()
    const rest = run.mailRest()
    await Promise.all([killWorker('send'), killWorker('inbound')])
    await Promise.all([startWorker('send'), startWorker('inbound')])
    await rest
    await checkAccount(run)
  }, 90_000)
})

describe('an answer SES never gave', () => {
  // Failed before the fix: the worker took the dropped connection for "SES could not be
  // reached", retried, and the attendee got the invitation twice.
  it('a send SES accepted whose answer was lost is `unknown` and not sent again', async () => {
    const ses = stack.standins.ses
    const tag = randomUUID().slice(0, 8)
    await ses.kill()
    // SES accepts the 10th invitation of this run, then dies before answering.
    await ses.restart({ CIS_STANDIN_SES_DIE_AFTER: '10', CIS_STANDIN_SES_DIE_TO: `@${guestDomain(tag)}` })
    const eventUid = await queueBulkSend(tag)
    await ses.exited()
    const toGuests = (await stack.sesSent()).filter((message) => message.to.some((to) => to.endsWith(`@${guestDomain(tag)}`)))
    expect(toGuests.length).toBe(10)
    const lost = toGuests.at(-1)!
    await ses.restart()
    const invitations = await checkInvitations({ tag, eventUid })
    const lostInvitation = invitations.find((invitation) => lost.to.includes(invitation.email))
    expect(lostInvitation, `the lost send (to ${lost.to.join(', ')}) was an invitation`).toBeDefined()
    expect(lostInvitation!.status).toBe('unknown')
    expect(lostInvitation!.error).toMatch(/may or may not have arrived/)
  }, 90_000)
})
