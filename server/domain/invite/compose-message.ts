/**
 * The complete invitation email for one recipient (ITIP 19, 23, 24), built with nodemailer:
 *
 *   multipart/mixed
 *     multipart/alternative
 *       text/plain                                    (quoted-printable)
 *       text/html                                     (quoted-printable)
 *       text/calendar; charset=UTF-8; method=REQUEST  (base64)
 *     application/ics  invite.ics                     (base64, the same calendar)
 *
 * with `Content-Class: urn:content-classes:calendarmessage` (Outlook), From: the organizer's
 * name at the server's rsvp@ mailbox, To: the one recipient, and, when an unsubscribe URL
 * is given, `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`
 * (RFC 8058). Names and the summary reach headers only as one line (control characters
 * replaced) and nodemailer encodes non-ASCII ones as RFC 2047 words.
 *
 * Two paths give the same message:
 * - `composeInvitationMessageWithMailComposer`: MailComposer builds every message (a stream
 *   per message, about 2,500 messages a second on one core).
 * - `composeInvitationMessage` (used for sending): the calendar, bodies and MIME headers
 *   of an (event, method, SEQUENCE) are prepared once with the same MailComposer, then each
 *   recipient's message is assembled from them with nodemailer's own encoders, without a
 *   stream. Tests check both give the same parts, headers and encodings.
 */
import { randomUUID } from 'node:crypto'
import MailComposer from 'nodemailer/lib/mail-composer'
import type MimeNode from 'nodemailer/lib/mime-node'
import type Mail from 'nodemailer/lib/mailer'
import * as mimeFuncs from 'nodemailer/lib/mime-funcs'
import * as qp from 'nodemailer/lib/qp'
import type { EventState } from '../itip/event-state'
import { isMailAddress, prepareInvitationCalendar, type InvitationCalendar, type InvitationMethod } from './build-invitation'
import { htmlBody, invitationBodies, oneLine, organizerName, textBody, type InvitationBodies } from './message-text'

export interface InvitationMessage {
  event: EventState
  recipient: { email: string; name: string | null }
  method: InvitationMethod
  sequence: number
  /** The recipient was sent an earlier version (so this one is worded as an update); default false. */
  update?: boolean
  /** The server's rsvp@ mailbox: ORGANIZER in the calendar and the From address. */
  organizerMailbox: string
  /** One-click unsubscribe URL (RFC 8058); when given, List-Unsubscribe + List-Unsubscribe-Post headers and a footer link. */
  unsubscribeUrl?: string
  /** Link to the event's public page, shown in the body when given. */
  eventUrl?: string
  now?: Date
}

export const CALENDAR_FILENAME = 'invite.ics'

/** What is the same for every recipient of one version of an event. */
interface PreparedInvitation {
  calendar: InvitationCalendar
  bodies: InvitationBodies
  fromName: string
  organizerMailbox: string
  method: InvitationMethod
  /** The prepared MIME, without and with unsubscribe headers. */
  templates: [MessageTemplate?, MessageTemplate?]
}

const UNSUBSCRIBE_URL = /^https?:\/\/[\x21-\x7e]+$/

function checkInput(input: InvitationMessage) {
  if (!isMailAddress(input.recipient.email)) throw new RangeError('The recipient address is not a mail address.')
  if (!isMailAddress(input.organizerMailbox)) throw new RangeError('The organizer mailbox is not a mail address.')
  if (input.unsubscribeUrl !== undefined && (!UNSUBSCRIBE_URL.test(input.unsubscribeUrl) || /[<>"]/.test(input.unsubscribeUrl))) {
    throw new RangeError('The unsubscribe URL must be an http(s) URL without spaces, quotes or angle brackets.')
  }
  if (input.method !== 'REQUEST' && input.method !== 'CANCEL') throw new RangeError(`Invitations are sent as REQUEST or CANCEL, not ${String(input.method)}.`)
}

function prepare(input: InvitationMessage): PreparedInvitation {
  return {
    calendar: prepareInvitationCalendar(input.event, { method: input.method, sequence: input.sequence, organizerMailbox: input.organizerMailbox }),
    bodies: invitationBodies({ event: input.event, method: input.method, sequence: input.sequence, update: input.update ?? false, eventUrl: input.eventUrl }),
    fromName: organizerName(input.event),
    organizerMailbox: input.organizerMailbox,
    method: input.method,
    templates: [],
  }
}

// One event is usually sent to many people in a row: keep the last few prepared versions.
const PREPARED_LIMIT = 32
const prepared = new Map<string, PreparedInvitation>()

function preparedFor(input: InvitationMessage): PreparedInvitation {
  const key = JSON.stringify([input.event, input.method, input.sequence, input.update ?? false, input.organizerMailbox, input.eventUrl ?? null])
  let entry = prepared.get(key)
  if (entry) {
    // Most recently used last, so the oldest is evicted first.
    prepared.delete(key)
  } else {
    entry = prepare(input)
    if (prepared.size >= PREPARED_LIMIT) prepared.delete(prepared.keys().next().value!)
  }
  prepared.set(key, entry)
  return entry
}

const recipientName = (input: InvitationMessage) => oneLine(input.recipient.name)
/** Mail bodies end their lines with CRLF (RFC 5322); quoted-printable keeps them as they are. */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n')
const messageIdFor = (mailbox: string) => `<${randomUUID()}@${mailbox.slice(mailbox.lastIndexOf('@') + 1).toLowerCase()}>`

/** The MailComposer options of one message: the one description both paths follow. */
function mailOptions(p: PreparedInvitation, input: InvitationMessage, calendar: string, messageId: string, now: Date): Mail.Options {
  const name = recipientName(input)
  const footer = { email: input.recipient.email, unsubscribeUrl: input.unsubscribeUrl }
  const headers: Record<string, string> = { 'Content-Class': 'urn:content-classes:calendarmessage' }
  if (input.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>`
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click'
  }
  return {
    from: { name: p.fromName, address: p.organizerMailbox },
    to: name ? { name, address: input.recipient.email } : input.recipient.email,
    subject: p.bodies.subject,
    messageId,
    date: now,
    headers,
    text: { content: crlf(textBody(p.bodies, footer)), contentTransferEncoding: 'quoted-printable' } as Mail.Options['text'],
    html: { content: crlf(htmlBody(p.bodies, footer)), contentTransferEncoding: 'quoted-printable' } as Mail.Options['html'],
    alternatives: [{ contentType: `text/calendar; charset=UTF-8; method=${p.method}`, content: calendar, contentTransferEncoding: 'base64' }],
    attachments: [{ filename: CALENDAR_FILENAME, contentType: 'application/ics', content: calendar, contentTransferEncoding: 'base64' }],
  }
}

/** The invitation built by MailComposer, a stream per message: the reference the fast path matches. */
export async function composeInvitationMessageWithMailComposer(input: InvitationMessage): Promise<Buffer> {
  checkInput(input)
  const p = preparedFor(input)
  const now = input.now ?? new Date()
  const calendar = p.calendar.render({ email: input.recipient.email, name: recipientName(input) || null }, now)
  const composer = new MailComposer(mailOptions(p, input, calendar, messageIdFor(p.organizerMailbox), now))
  return composer.compile().build()
}

/** The raw MIME invitation for one recipient, ready for SES SendEmail (Content.Raw). */
export async function composeInvitationMessage(input: InvitationMessage): Promise<Buffer> {
  checkInput(input)
  // Addresses nodemailer would rewrite (IDN domains, UTF-8 local parts) take the reference path.
  if (!/^[\x21-\x7e]+$/.test(input.recipient.email)) return composeInvitationMessageWithMailComposer(input)
  const p = preparedFor(input)
  const which = input.unsubscribeUrl ? 1 : 0
  const template = (p.templates[which] ??= messageTemplate(p, input))
  return template.render(p, input)
}

// ------------------------------------------------------------------ the prepared MIME

type Piece = string | { leaf: 'text' | 'html' | 'calendar' } | { rootHeaders: true }

interface MessageTemplate {
  render(p: PreparedInvitation, input: InvitationMessage): Buffer
}

/** Header lines of a header block, by lower-cased name, in order (folded lines kept whole). */
const headerLines = (block: string) => block.split(/\r\n(?![ \t])/).map((line) => ({ key: line.slice(0, line.indexOf(':')).toLowerCase(), line }))

/** nodemailer's choice between Q and B encoded words (MimeNode#_getTextEncoding). */
function wordEncoding(value: string): 'Q' | 'B' {
  const nonLatin = (value.match(/[\x00-\x08\x0B\x0C\x0E-\x1F\u0080-\uFFFF]/g) ?? []).length
  const latin = (value.match(/[a-z]/gi) ?? []).length
  return nonLatin < latin ? 'Q' : 'B'
}

/** An address header value as nodemailer writes it (MimeNode#_convertAddresses, #_encodeAddressName). */
function addressValue(name: string, address: string): string {
  const at = address.lastIndexOf('@')
  const normalized = `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`
  if (!name) return normalized
  let encoded = name
  if (!/^[\w ]*$/.test(name)) {
    encoded = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/([\\"])/g, '\\$1')}"` : mimeFuncs.encodeWord(name, wordEncoding(name), 52)
  }
  return `${encoded} <${normalized}>`
}

/** nodemailer's quoted-printable (as its QP stream writes a whole body). */
const quotedPrintable = (text: string) => qp.wrap(qp.encode(Buffer.from(text, 'utf8')), 76)

/**
 * base64 in lines of 76 characters, exactly as nodemailer's base64.wrap (which MailComposer
 * uses), without its regular expression: CRLF between lines, none after the last.
 */
export function base64Lines(encoded: string): string {
  const lines: string[] = []
  for (let at = 0; at < encoded.length; at += 76) lines.push(encoded.slice(at, at + 76))
  return lines.join('\r\n')
}

const dateValue = (now: Date) => now.toUTCString().replace(/GMT/, '+0000')

/**
 * Compiles one message of this version with MailComposer and keeps what it wrote: the
 * header blocks of every part, the order of the top-level headers, the transfer encodings.
 * Per recipient only the To, List-Unsubscribe, Message-ID and Date headers, the boundaries
 * and the three contents are new.
 */
function messageTemplate(p: PreparedInvitation, sample: InvitationMessage): MessageTemplate {
  const now = new Date(0)
  const example: InvitationMessage = { ...sample, recipient: { email: 'recipient@example.invalid', name: null } }
  const root = new MailComposer(mailOptions(p, example, 'BEGIN:VCALENDAR\r\n', '<template@example.invalid>', now)).compile() as MimeNode & {
    baseBoundary: string
  }
  const baseBoundary = root.baseBoundary
  const pieces: Piece[] = []
  const leafOf = (node: MimeNode): 'text' | 'html' | 'calendar' => {
    const type = String(node.getHeader('Content-Type') ?? '').toLowerCase()
    return type.startsWith('text/plain') ? 'text' : type.startsWith('text/html') ? 'html' : 'calendar'
  }
  const walk = (node: MimeNode) => {
    const headers = node.buildHeaders()
    if (node === root) pieces.push({ rootHeaders: true })
    else pieces.push(headers)
    pieces.push('\r\n\r\n')
    if (node.multipart) {
      node.childNodes.forEach((child, i) => {
        pieces.push(`${i ? '\r\n' : ''}--${String(node.boundary)}\r\n`)
        walk(child)
      })
      pieces.push(`\r\n--${String(node.boundary)}--\r\n`)
    } else {
      const encoding = (node as unknown as { getTransferEncoding(): string }).getTransferEncoding()
      const leaf = leafOf(node)
      if ((leaf === 'calendar') !== (encoding === 'base64') || (leaf !== 'calendar' && encoding !== 'quoted-printable')) {
        throw new Error(`Unexpected transfer encoding ${encoding} for the ${leaf} part.`)
      }
      pieces.push({ leaf })
    }
  }
  walk(root)
  const rootHeaders = headerLines(root.buildHeaders()).map((h) => ({ key: h.key, parts: h.line.split(baseBoundary) }))
  const split = pieces.map((piece) => (typeof piece === 'string' ? piece.split(baseBoundary) : piece))
  // Quoted-printable starts afresh after a hard line break, and each head ends with one:
  // the heads are encoded once, each footer per recipient.
  const textHead = quotedPrintable(crlf(p.bodies.textHead))
  const htmlHead = quotedPrintable(crlf(p.bodies.htmlHead))

  return {
    render(prepared, input) {
      const now = input.now ?? new Date()
      const boundary = randomUUID().replace(/-/g, '').slice(0, 16)
      const name = recipientName(input)
      const calendar = prepared.calendar.render({ email: input.recipient.email, name: name || null }, now)
      const calendarBase64 = base64Lines(Buffer.from(calendar, 'utf8').toString('base64'))
      const footer = { email: input.recipient.email, unsubscribeUrl: input.unsubscribeUrl }
      const leaves = {
        text: textHead + quotedPrintable(crlf(prepared.bodies.textFooter(footer))),
        html: htmlHead + quotedPrintable(crlf(prepared.bodies.htmlFooter(footer))),
        calendar: calendarBase64,
      }
      const variable: Record<string, string> = {
        to: mimeFuncs.foldLines(`To: ${addressValue(name, input.recipient.email)}`, 76),
        'message-id': `Message-ID: ${messageIdFor(prepared.organizerMailbox)}`,
        date: `Date: ${dateValue(now)}`,
      }
      if (input.unsubscribeUrl) variable['list-unsubscribe'] = mimeFuncs.foldLines(`List-Unsubscribe: <${input.unsubscribeUrl}>`, 76)
      let out = ''
      for (const piece of split) {
        if (Array.isArray(piece)) out += piece.join(boundary)
        else if ('leaf' in piece) out += leaves[piece.leaf]
        else out += rootHeaders.map((h) => variable[h.key] ?? h.parts.join(boundary)).join('\r\n')
      }
      return Buffer.from(out, 'utf8')
    },
  }
}
