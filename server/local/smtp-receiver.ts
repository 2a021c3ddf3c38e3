/**
 * The local stand-in for the SES receipt rules: a real SMTP server that accepts mail for
 * the three mailboxes (create@, rsvp@, bulk@ of the mail domain) and does what SES plus
 * the bucket notification do in AWS:
 *
 *  1. prepends the headers SES adds on receipt (Return-Path, Received, spam / virus
 *     verdicts, Received-SPF, Authentication-Results, X-SES-RECEIPT) to the bytes received,
 *  2. stores the result in the mail bucket at `<mailbox>/<SES-style message id>`,
 *  3. sends the inbound queue the receipt notification SES publishes for an S3 action
 *     (through SNS, raw message delivery): the stored object's key and SES's verdicts,
 *     which alone verify a sender.
 *
 * Nothing is verified locally (no DNS): the verdicts are whatever the stack's `verdicts`
 * option or the CIS_LOCAL_* variables say, PASS by default, decided from the SMTP session
 * and never from anything the message itself says.
 */
import { randomBytes } from 'node:crypto'
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { SendMessageCommand } from '@aws-sdk/client-sqs'
import type { AppConfig } from '../config'
import type { AwsClients } from '../aws/clients'
import { LOCAL_HOST } from './ports'
import { addressInHeader, domainOf } from '../domain/mail/address'
import { organizationalDomain, type VerdictStatus } from '../domain/mail/receipt'

/** The host name the receiver gives itself, in `Received: … by <name>` and its greeting. */
export const RECEIVER_NAME = 'inbound-smtp.local'

/** SES receiving rejects messages over 40 MB (headers included). */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024

export type SpfVerdict = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror'
export type DkimVerdict = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror'
export type DmarcVerdict = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror'
export type ScanVerdict = 'pass' | 'fail' | 'gray' | 'processing_failed'

export interface ReceiptVerdicts {
  spf: SpfVerdict
  dkim: DkimVerdict
  spam: ScanVerdict
  virus: ScanVerdict
  /** Left out: derived like DMARC would (pass when SPF or DKIM passed for the From domain). */
  dmarc?: DmarcVerdict
}

/** What the receiver knows about a delivery when it decides the verdicts. */
export interface ReceivedEnvelope {
  /** MAIL FROM; empty for the null sender (bounces). */
  mailFrom: string
  /** The accepted RCPT TO addresses. */
  rcptTo: string[]
  remoteAddress: string
  /** The name the client gave in HELO / EHLO. */
  helo: string
}

export interface HeaderField {
  key: string
  /** Unfolded value. */
  value: string
}

export type VerdictsFunction = (envelope: ReceivedEnvelope, headers: HeaderField[]) => Partial<ReceiptVerdicts>

export interface SmtpReceiverOptions {
  /** 0 picks a free port. */
  port: number
  config: AppConfig
  clients: Pick<AwsClients, 's3' | 'sqs'>
  /** URL of the inbound queue the S3 notifications go to. */
  inboundQueueUrl: string
  verdicts?: VerdictsFunction
  log?: (line: string) => void
}

export interface SmtpReceiver {
  port: number
  stop(): Promise<void>
}

// ------------------------------------------------------------------ verdicts

const SPF_VALUES: SpfVerdict[] = ['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror']
const DKIM_VALUES: DkimVerdict[] = ['pass', 'fail', 'none', 'temperror', 'permerror']
const SCAN_VALUES: ScanVerdict[] = ['pass', 'fail', 'gray', 'processing_failed']

const pick = <T extends string>(allowed: readonly T[], value: string | undefined): T | undefined => {
  const lowered = value?.trim().toLowerCase()
  return allowed.find((candidate) => candidate === lowered)
}

/**
 * The default verdicts: PASS, unless CIS_LOCAL_SPF / CIS_LOCAL_DKIM / CIS_LOCAL_SPAM /
 * CIS_LOCAL_VIRUS say otherwise (read on every message, so a developer can try an
 * unverified sender without writing code).
 */
export function verdictsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ReceiptVerdicts> {
  const verdicts: Partial<ReceiptVerdicts> = {}
  const spf = pick(SPF_VALUES, env.CIS_LOCAL_SPF)
  const dkim = pick(DKIM_VALUES, env.CIS_LOCAL_DKIM)
  const spam = pick(SCAN_VALUES, env.CIS_LOCAL_SPAM)
  const virus = pick(SCAN_VALUES, env.CIS_LOCAL_VIRUS)
  if (spf) verdicts.spf = spf
  if (dkim) verdicts.dkim = dkim
  if (spam) verdicts.spam = spam
  if (virus) verdicts.virus = virus
  return verdicts
}

/** DMARC as SES would find it locally: pass when SPF passed aligned with the From domain, or DKIM passed. */
function dmarcOf(verdicts: ReceiptVerdicts, spfDomain: string, fromDomain: string): DmarcVerdict {
  if (verdicts.dmarc) return verdicts.dmarc
  const spfOrganization = organizationalDomain(spfDomain)
  const aligned = spfOrganization !== null && spfOrganization === organizationalDomain(fromDomain)
  return (verdicts.spf === 'pass' && aligned) || verdicts.dkim === 'pass' ? 'pass' : 'fail'
}

/** SES's status words for the local verdicts (its notification has PASS, FAIL, GRAY, PROCESSING_FAILED). */
const STATUS_OF: Record<string, VerdictStatus> = {
  pass: 'PASS',
  fail: 'FAIL',
  softfail: 'FAIL',
  neutral: 'GRAY',
  none: 'GRAY',
  gray: 'GRAY',
  temperror: 'PROCESSING_FAILED',
  permerror: 'PROCESSING_FAILED',
  processing_failed: 'PROCESSING_FAILED',
}

// ------------------------------------------------------------------ raw header handling

/** Where the header section ends: the index of the blank line's first byte, and the body start. */
function headerEnd(raw: Buffer): { end: number; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n')
  const lf = raw.indexOf('\n\n')
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf + 2, bodyStart: crlf + 4 }
  if (lf !== -1) return { end: lf + 1, bodyStart: lf + 2 }
  // No body: the whole message is headers.
  return { end: raw.length, bodyStart: raw.length }
}

interface RawField extends HeaderField {
  /** Byte range of the whole field (with its folded lines and line end) in the message. */
  start: number
  end: number
}

/**
 * The header fields of a raw message with their byte ranges. Headers are 7-bit (or, with
 * SMTPUTF8, UTF-8); reading them as latin1 keeps one character per byte, so the ranges
 * are byte offsets and untouched bytes can be copied exactly.
 */
function headerFields(raw: Buffer): RawField[] {
  const { end } = headerEnd(raw)
  const text = raw.subarray(0, end).toString('latin1')
  const fields: RawField[] = []
  const linePattern = /[^\n]*\n|[^\n]+$/g
  for (const match of text.matchAll(linePattern)) {
    const line = match[0]
    const start = match.index
    const last = fields.at(-1)
    if (/^[ \t]/.test(line) && last) {
      // A folded continuation of the previous field.
      last.value += ` ${line.trim()}`
      last.end = start + line.length
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    fields.push({
      key: line.slice(0, colon).trim(),
      value: line.slice(colon + 1).trim(),
      start,
      end: start + line.length,
    })
  }
  return fields
}

/** The header fields of a raw message, unfolded (for tools that need From or Subject). */
export function readHeaderFields(raw: Buffer): HeaderField[] {
  return headerFields(raw).map(({ key, value }) => ({ key, value }))
}

// ------------------------------------------------------------------ SES receipt headers

/** SES message ids: 40 characters of lower-case base32hex (0-9, a-v). */
export function sesMessageId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv'
  const bytes = randomBytes(25)
  let bits = 0
  let value = 0
  let id = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      id += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return id
}

/** `Sun, 13 Dec 2020 18:01:31 +0000 (UTC)`, the date form SES writes in Received. */
const receivedDate = (date: Date) => date.toUTCString().replace('GMT', '+0000 (UTC)')

function spfExplanation(verdict: SpfVerdict, domain: string, ip: string): string {
  switch (verdict) {
    case 'pass':
      return `spfCheck: domain of ${domain} designates ${ip} as permitted sender`
    case 'fail':
      return `spfCheck: domain of ${domain} does not designate ${ip} as permitted sender`
    case 'softfail':
      return `spfCheck: transitioning domain of ${domain} does not designate ${ip} as permitted sender`
    case 'neutral':
    case 'none':
      return `spfCheck: ${ip} is neither permitted nor denied by domain of ${domain}`
    case 'temperror':
      return `spfCheck: error in processing during lookup of ${domain}: DNS timeout`
    case 'permerror':
      return `spfCheck: domain of ${domain} has an invalid SPF record`
  }
}

export interface ReceiptHeaderInput {
  id: string
  envelope: ReceivedEnvelope
  /** The mailbox this copy is stored for (`Received: … for <recipient>`). */
  recipient: string
  /** The From header's address (DKIM and DMARC are reported for its domain). */
  from: string
  verdicts: ReceiptVerdicts
  at: Date
}

/**
 * The header block SES prepends to a received message, in SES's order and folding
 * (compare any message an SES S3 action stored):
 *
 *   Return-Path: <alice@example.com>
 *   Received: from mail.example.com (mail.example.com [203.0.113.7])
 *    by inbound-smtp.us-east-1.amazonaws.com with SMTP id 7c4…
 *    for create@events.example.org;
 *    Sun, 13 Dec 2020 18:01:31 +0000 (UTC)
 *   X-SES-Spam-Verdict: PASS
 *   X-SES-Virus-Verdict: PASS
 *   Received-SPF: pass (spfCheck: domain of example.com designates 203.0.113.7 as permitted sender) client-ip=203.0.113.7; envelope-from=alice@example.com; helo=mail.example.com;
 *   Authentication-Results: amazonses.com;
 *    spf=pass (spfCheck: …) client-ip=203.0.113.7; envelope-from=alice@example.com; helo=mail.example.com;
 *    dkim=pass header.i=@example.com;
 *    dmarc=pass header.from=example.com;
 *   X-SES-RECEIPT: AEFBQUFB…
 *
 * SES reports the envelope sender as `envelope-from=` (not `smtp.mailfrom=`).
 */
export function sesReceiptHeaders(input: ReceiptHeaderInput): string {
  const { envelope, verdicts, from } = input
  const ip = envelope.remoteAddress.replace(/^::ffff:/, '')
  const helo = envelope.helo || `[${ip}]`
  // SES shows the client's reverse DNS name here; locally the client is on loopback.
  const reverseName = /^(127\.|::1$)/.test(ip) ? 'localhost' : 'unknown'
  // SPF checks the envelope sender's domain, or the HELO name for the null sender.
  const spfDomain = envelope.mailFrom ? domainOf(envelope.mailFrom) : helo
  const fromDomain = domainOf(from) || spfDomain
  const spfText = `${verdicts.spf} (${spfExplanation(verdicts.spf, spfDomain, ip)}) client-ip=${ip}; envelope-from=${envelope.mailFrom}; helo=${helo};`
  const dmarc = dmarcOf(verdicts, spfDomain, fromDomain)
  const dkimIdentity = verdicts.dkim === 'none' ? 'unknown' : `@${fromDomain}`
  // Opaque to receivers; shaped like SES's (base64 of a base64 token).
  const receipt = Buffer.from(`AAAAAAAAAAF${randomBytes(150).toString('base64')}`).toString('base64')
  const lines = [
    `Return-Path: <${envelope.mailFrom}>`,
    `Received: from ${helo} (${reverseName} [${ip}])`,
    ` by ${RECEIVER_NAME} with SMTP id ${input.id}`,
    ` for ${input.recipient};`,
    ` ${receivedDate(input.at)}`,
    `X-SES-Spam-Verdict: ${verdicts.spam.toUpperCase()}`,
    `X-SES-Virus-Verdict: ${verdicts.virus.toUpperCase()}`,
    `Received-SPF: ${spfText}`,
    'Authentication-Results: amazonses.com;',
    ` spf=${spfText}`,
    ` dkim=${verdicts.dkim} header.i=${dkimIdentity};`,
    ` dmarc=${dmarc} header.from=${fromDomain};`,
    `X-SES-RECEIPT: ${receipt}`,
  ]
  return lines.map((line) => `${line}\r\n`).join('')
}

/**
 * The receipt headers SES would prepend to a message from `from` delivered to `recipient`
 * over loopback, verdicts PASS unless given: for stand-ins of the receipt rule outside
 * SMTP (`cis ingest --verified`, tests).
 */
export function receiptHeadersFor(from: string, recipient: string, verdicts: Partial<ReceiptVerdicts> = {}): string {
  return sesReceiptHeaders({
    id: sesMessageId(),
    envelope: { mailFrom: from, rcptTo: [recipient], remoteAddress: '127.0.0.1', helo: 'localhost' },
    recipient,
    from,
    verdicts: { spf: 'pass', dkim: 'pass', spam: 'pass', virus: 'pass', ...verdicts },
    at: new Date(),
  })
}

// ------------------------------------------------------------------ the receipt notification

export interface ReceiptNotificationInput {
  id: string
  envelope: ReceivedEnvelope
  /** The From header values of the message, as SES lists them in commonHeaders. */
  fromHeaders: string[]
  subject: string | null
  verdicts: ReceiptVerdicts
  bucket: string
  key: string
  at: Date
  topicArn?: string
}

/**
 * The notification SES publishes when a receipt rule's S3 action has stored a message
 * (`notificationType: Received`), as the inbound queue gets it from SNS with raw message
 * delivery: the fields SES fills, with the verdicts as its status words.
 */
export function sesReceiptNotification(input: ReceiptNotificationInput) {
  const { envelope, verdicts } = input
  const spfDomain = envelope.mailFrom ? domainOf(envelope.mailFrom) : envelope.helo
  const fromDomain = domainOf(addressInHeader(input.fromHeaders[0])) || spfDomain
  const status = (verdict: string) => ({ status: STATUS_OF[verdict] ?? 'GRAY' })
  const timestamp = input.at.toISOString()
  return {
    notificationType: 'Received',
    mail: {
      timestamp,
      source: envelope.mailFrom,
      messageId: input.id,
      destination: envelope.rcptTo,
      headersTruncated: false,
      commonHeaders: { from: input.fromHeaders, to: envelope.rcptTo, ...(input.subject !== null ? { subject: input.subject } : {}) },
    },
    receipt: {
      timestamp,
      processingTimeMillis: 1,
      recipients: envelope.rcptTo,
      spamVerdict: status(verdicts.spam),
      virusVerdict: status(verdicts.virus),
      spfVerdict: status(verdicts.spf),
      dkimVerdict: status(verdicts.dkim),
      dmarcVerdict: status(dmarcOf(verdicts, spfDomain, fromDomain)),
      action: {
        type: 'S3',
        topicArn: input.topicArn ?? 'arn:aws:sns:us-east-1:000000000000:cis-inbound-mail',
        bucketName: input.bucket,
        objectKeyPrefix: `${input.key.slice(0, input.key.indexOf('/') + 1)}`,
        objectKey: input.key,
      },
    },
  }
}

/**
 * A message from `from` to `recipient` as SES would receive it over loopback, for stand-ins
 * of the receipt rule outside SMTP (`cis ingest --verified`, tests): the stored copy (its
 * receipt headers prepended) and the receipt notification for `key`, verdicts PASS unless
 * given.
 */
export function receivedAsSes(raw: Buffer | string, from: string, recipient: string, key: string, bucket: string, verdicts: Partial<ReceiptVerdicts> = {}) {
  const message = Buffer.from(raw)
  const id = key.slice(key.lastIndexOf('/') + 1) || sesMessageId()
  const envelope: ReceivedEnvelope = { mailFrom: from, rcptTo: [recipient], remoteAddress: '127.0.0.1', helo: 'localhost' }
  const all: ReceiptVerdicts = { spf: 'pass', dkim: 'pass', spam: 'pass', virus: 'pass', ...verdicts }
  const fields = readHeaderFields(message)
  const fromHeaders = fields.filter((field) => field.key.toLowerCase() === 'from').map((field) => field.value)
  const subject = fields.find((field) => field.key.toLowerCase() === 'subject')?.value ?? null
  const at = new Date()
  return {
    stored: Buffer.concat([Buffer.from(sesReceiptHeaders({ id, envelope, recipient, from: addressInHeader(fromHeaders[0]), verdicts: all, at }), 'latin1'), message]),
    notification: sesReceiptNotification({ id, envelope, fromHeaders, subject, verdicts: all, bucket, key, at }),
  }
}

// ------------------------------------------------------------------ the server

class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message)
  }
}

function readStream(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.once('error', reject)
    stream.once('end', () => resolve(Buffer.concat(chunks)))
  })
}

export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const { config, clients, log = () => {} } = options
  // address (lower case) -> mailbox name, which is also the S3 key prefix.
  const mailboxes = new Map(Object.entries(config.mailboxes).map(([name, address]) => [address.toLowerCase(), name]))
  const accepted = [...mailboxes.keys()].join(', ')

  async function deliver(raw: Buffer, session: SMTPServerSession): Promise<string> {
    const id = sesMessageId()
    const at = new Date()
    const visible = readHeaderFields(raw)
    const fromHeaders = visible.filter((field) => field.key.toLowerCase() === 'from').map((field) => field.value)
    const from = addressInHeader(fromHeaders[0])
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
    const rcptTo = session.envelope.rcptTo.map((rcpt) => rcpt.address)
    const envelope: ReceivedEnvelope = { mailFrom, rcptTo, remoteAddress: session.remoteAddress, helo: session.hostNameAppearsAs }
    const verdicts: ReceiptVerdicts = {
      spf: 'pass',
      dkim: 'pass',
      spam: 'pass',
      virus: 'pass',
      ...verdictsFromEnv(),
      ...options.verdicts?.(envelope, visible),
    }

    // One stored copy per mailbox, as one receipt rule (with its own key prefix) per
    // mailbox would write; a mailbox named twice in RCPT gets one copy.
    const targets = new Map<string, string>()
    for (const rcpt of rcptTo) {
      const name = mailboxes.get(rcpt.toLowerCase())
      if (name && !targets.has(name)) targets.set(name, rcpt)
    }
    for (const [name, recipient] of targets) {
      const key = `${name}/${id}`
      const stored = Buffer.concat([Buffer.from(sesReceiptHeaders({ id, envelope, recipient, from, verdicts, at }), 'latin1'), raw])
      await clients.s3.send(new PutObjectCommand({ Bucket: config.mailBucket, Key: key, Body: stored, ContentLength: stored.length }))
      const subject = visible.find((field) => field.key.toLowerCase() === 'subject')?.value ?? null
      const notification = sesReceiptNotification({ id, envelope, fromHeaders, subject, verdicts, bucket: config.mailBucket, key, at })
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: options.inboundQueueUrl, MessageBody: JSON.stringify(notification) }))
      log(`smtp: ${mailFrom || '<>'} -> ${recipient}: stored s3://${config.mailBucket}/${key} (${stored.length} bytes, spf=${verdicts.spf} dkim=${verdicts.dkim})`)
    }
    return id
  }

  const server = new SMTPServer({
    name: RECEIVER_NAME,
    banner: 'Calendar Invite Server local receiver',
    // Plain SMTP on loopback: no AUTH, no STARTTLS (nothing to protect, no certificate).
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    // A reverse DNS lookup per connection would only slow local mail down.
    disableReverseLookup: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // stop() should not wait long for an idle client to hang up.
    closeTimeout: 1000,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (mailboxes.has(address.address.toLowerCase())) return callback()
      log(`smtp: refused RCPT TO <${address.address}>`)
      callback(new SmtpReply(550, `5.1.1 <${address.address}>: no such mailbox here; this server only accepts ${accepted}`))
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      readStream(stream)
        .then((raw) => {
          if (stream.sizeExceeded) throw new SmtpReply(552, `5.3.4 Message too big: SES accepts at most ${MAX_MESSAGE_BYTES} bytes`)
          return deliver(raw, session)
        })
        .then(
          (id) => callback(null, `Ok ${id}`),
          (error: unknown) => {
            if (error instanceof SmtpReply) return callback(error)
            log(`smtp: could not store a message: ${error instanceof Error ? error.message : String(error)}`)
            // A temporary failure: the sending server keeps the message and retries.
            callback(new SmtpReply(451, '4.3.0 Local error in processing; try again later'))
          },
        )
    },
  })
  // Connection-level errors (a client resetting the connection) must not crash the stack.
  server.on('error', (error: Error) => log(`smtp: ${error.message}`))

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.server.once('error', onError)
    // Answer each command at once: with Nagle's algorithm the final 250 after DATA waits for
    // the client's delayed ACK, about 40 ms a message on loopback.
    server.server.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true))
    server.listen(options.port, LOCAL_HOST, () => {
      server.server.off('error', onError)
      const address = server.server.address()
      resolve(typeof address === 'object' && address ? address.port : options.port)
    })
  })

  let stopped: Promise<void> | undefined
  return {
    port,
    stop() {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()))
      return stopped
    },
  }
}
