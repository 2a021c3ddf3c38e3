/**
 * Reads a raw RFC 5322 message (postal-mime) into what the pipeline needs: who sent it,
 * whether it is a bounce / auto-reply / loop, and its calendar parts,
 * found in any MIME shape and de-duplicated (an inline text/calendar and its invite.ics
 * copy are one calendar).
 */
import PostalMime from 'postal-mime'
import { z } from 'zod'
import { NotSchedulingMessage, type Person } from '../scheduling'
import { addressInHeader } from './address'

export interface Header {
  key: string
  value: string
}

export interface CalendarPart {
  text: string
  /** The Content-Type `method=` parameter: only a fallback for the body's METHOD. */
  contentTypeMethod: string | null
}

export interface MailAttachment {
  filename: string | null
  mimeType: string
  content: Uint8Array
}

export type MailKind = 'message' | 'bounce' | 'auto-reply'

export interface ReceivedMail {
  from: Person | null
  subject: string
  messageId: string | null
  headers: Header[]
  kind: MailKind
  /**
   * Calendar texts, best candidate first (one carrying METHOD in its body). Copies that
   * differ in bytes stay in the list but are read only if the first cannot be.
   */
  calendars: CalendarPart[]
  /** Non-calendar attachments (CSV lists for the bulk mailbox). */
  attachments: MailAttachment[]
}

const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics', 'text/x-vcalendar', 'application/x-ics'])
const decoder = new TextDecoder('utf-8')
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const windows1252 = new TextDecoder('windows-1252')

/** A part's body as transferred (base64 or quoted-printable undone, no charset applied) and the charset it names. */
interface PartBytes {
  bytes: Uint8Array
  charset: string | null
}

// Only the field read here of postal-mime's MIME node; zod drops the rest.
const MimeNode = z.object({ contentType: z.object({ parsed: z.object({ params: z.object({ charset: z.string().optional() }) }) }) })

const collectAttachment: unknown = Reflect.get(PostalMime.prototype, 'collectAttachment')

/**
 * postal-mime, keeping each attachment's bytes as transferred. postal-mime decodes a
 * text/calendar or application/ics part to text itself (with the part's charset, else
 * UTF-8), and none of its options hands over that part's bytes (attachmentEncoding only
 * changes how the decoded text is returned), so a character split by a fold, or Latin-1
 * sent with no charset, is U+FFFD before we see it. Re-encoding that text cannot bring the
 * bytes back, and a MIME parser of our own would duplicate postal-mime; so this reaches into
 * the one place postal-mime turns a part's bytes into an attachment, its internal
 * collectAttachment(node, content, …), and keeps the bytes and the part's charset beside the
 * attachment. What it reads there is checked at run time: if a later postal-mime differs,
 * nothing is kept and calendars are read from postal-mime's text as before (the charset
 * tests then fail). Parts of an inline forwarded message go through a parser postal-mime
 * creates itself, and are read from its text too.
 */
class PartBytesParser extends PostalMime {
  readonly partBytes = new WeakMap<object, PartBytes>()

  collectAttachment(node: unknown, content: unknown, ...rest: unknown[]): void {
    if (typeof collectAttachment !== 'function') return
    collectAttachment.call(this, node, content, ...rest)
    const attachments: unknown = Reflect.get(this, 'attachments')
    const attachment: unknown = Array.isArray(attachments) ? attachments.at(-1) : undefined
    const part = MimeNode.safeParse(node)
    if (typeof attachment === 'object' && attachment !== null && content instanceof ArrayBuffer && part.success) {
      this.partBytes.set(attachment, { bytes: new Uint8Array(content), charset: part.data.contentType.parsed.params.charset ?? null })
    }
  }
}

const CR = 0x0d
const LF = 0x0a

/**
 * The most lines a message may have to be read. postal-mime keeps every line of a part as an
 * object of its own until the part ends, so memory follows the number of lines rather than
 * the bytes: a calendar part of 199,000 short lines peaked at 560 MB (2.3 KB a line), and
 * 17 MB of them at 1.6 GB, past the inbound function's 512 MB. 100,000 lines stay inside it
 * and still hold any invitation and a 7 MB attachment in base64 (76 characters a line).
 */
export const MAX_MESSAGE_LINES = 100_000

/** A message too large to read whole: what its header says is read, for the sender's answer. */
export class OversizedMail extends NotSchedulingMessage {
  constructor(
    message: string,
    /** The message as its header alone shows it: no calendars, no attachments. */
    readonly header: ReceivedMail,
  ) {
    super(message, 'unsupported')
  }
}

function countLines(raw: Uint8Array | string): number {
  let lines = 0
  if (typeof raw === 'string') for (let at = raw.indexOf('\n'); at !== -1; at = raw.indexOf('\n', at + 1)) lines++
  else for (let at = raw.indexOf(LF); at !== -1; at = raw.indexOf(LF, at + 1)) lines++
  return lines
}

/** The header block of a message and the blank line that ends it (the whole message where there is none). */
function headerBlock(raw: Uint8Array | string): Uint8Array | string {
  if (typeof raw === 'string') {
    const end = /\r?\n\r?\n/.exec(raw)
    return end ? raw.slice(0, end.index + end[0].length) : raw
  }
  for (let at = raw.indexOf(LF); at !== -1; at = raw.indexOf(LF, at + 1)) {
    const next = raw[at + 1] === CR ? at + 2 : at + 1
    if (raw[next] === LF) return raw.subarray(0, next + 1)
  }
  return raw
}

const isFoldSpace = (byte: number | undefined) => byte === 0x20 || byte === 0x09

/**
 * iCalendar lines unfolded on the bytes, before any decoding (RFC 5545 3.1: a line break
 * followed by one space or tab is removed): clients that fold at 75 octets may split a
 * multi-byte character, which decodes whole only once its bytes are together again.
 */
function unfoldBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length)
  let length = 0
  for (let at = 0; at < bytes.length; at++) {
    if (bytes[at] === CR && bytes[at + 1] === LF && isFoldSpace(bytes[at + 2])) at += 2
    else if (bytes[at] === LF && isFoldSpace(bytes[at + 1])) at += 1
    else out[length++] = bytes[at]!
  }
  return out.subarray(0, length)
}

/** The decoder a part's charset names; null where no charset is named or the runtime does not know the label. */
function namedDecoder(charset: string | null): TextDecoder | null {
  if (!charset) return null
  try {
    return new TextDecoder(charset)
  } catch {
    return null
  }
}

/**
 * A calendar part's text, from its bytes: unfolded first, then decoded with the charset the
 * part names, or where it names none (or one unknown here) as UTF-8, as iCalendar requires,
 * and where the bytes are not UTF-8 as windows-1252 (a superset of Latin-1), which is what
 * Exchange's CDO sends as 8bit with no charset. Lines end in LF, the text in exactly one:
 * copies of a calendar that differ only in their line ends (CRLF in base64, LF in 8bit)
 * are one text.
 */
function calendarText(content: Uint8Array, charset: string | null): string {
  const bytes = unfoldBytes(content)
  let text: string
  const named = namedDecoder(charset)
  if (named) text = named.decode(bytes)
  else {
    try {
      text = strictUtf8.decode(bytes)
    } catch {
      text = windows1252.decode(bytes)
    }
  }
  text = text.replace(/\r?\n/g, '\n')
  // Counted rather than /\n*$/, which retries at every newline of a run that does not end the text.
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === LF) end--
  return text.slice(0, end) + '\n'
}

function isCalendarAttachment(mimeType: string, filename: string | null, content: Uint8Array): boolean {
  if (CALENDAR_TYPES.has(mimeType)) return true
  if (filename && /\.(ics|ical|ifb|vcs)$/i.test(filename)) return true
  // An octet-stream or text/plain part that is a calendar in disguise.
  if (mimeType === 'application/octet-stream' || mimeType === 'text/plain') {
    const head = decoder.decode(content.subarray(0, 64)).trimStart().toUpperCase()
    return head.startsWith('BEGIN:VCALENDAR')
  }
  return false
}

/**
 * Bounces and automatic replies are never read as scheduling messages (nor answered).
 * `Auto-Submitted: auto-generated` is not a reply: calendar systems mark the iMIP they
 * generate so (RFC 3834), and such a message is read when it carries a calendar; without
 * one it is left unanswered like an auto-reply.
 */
function kindOf(headers: Header[], contentType: string, hasCalendar: boolean): MailKind {
  if (/^multipart\/report/i.test(contentType)) return 'bounce'
  const header = (name: string) => headers.find((h) => h.key.toLowerCase() === name)?.value.trim().toLowerCase()
  // The keyword comes first; parameters such as owner-email follow a semicolon.
  const autoSubmitted = header('auto-submitted')?.split(';')[0]!.trim()
  if (autoSubmitted === 'auto-generated' && hasCalendar) return 'message'
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto-reply'
  const precedence = header('precedence')
  if (precedence && /^(auto_reply|junk)$/.test(precedence)) return 'auto-reply'
  if (header('x-autoreply') || header('x-autorespond')) return 'auto-reply'
  return 'message'
}

/**
 * Throws NotSchedulingMessage when postal-mime cannot read the bytes as email, as for a
 * header over its 2 MB or MIME nested over its 256 levels: the same bytes fail alike every time.
 * A message of more than MAX_MESSAGE_LINES lines is not read past its header: OversizedMail
 * carries what the header says (sender, subject, kind), so the sender can be told why.
 */
export async function readMail(raw: Uint8Array | string): Promise<ReceivedMail> {
  const lines = countLines(raw)
  if (lines > MAX_MESSAGE_LINES) {
    const header = headerBlock(raw)
    // A header too large for MAX_MESSAGE_LINES itself is no message to answer.
    const shown = countLines(header) > MAX_MESSAGE_LINES ? null : await readParts(header)
    const sentence = `The message has ${lines.toLocaleString('en')} lines; the server reads messages of up to ${MAX_MESSAGE_LINES.toLocaleString('en')} lines (an invitation has a few hundred).`
    if (!shown) throw new NotSchedulingMessage(sentence, 'unsupported')
    throw new OversizedMail(sentence, shown)
  }
  return readParts(raw)
}

async function readParts(raw: Uint8Array | string): Promise<ReceivedMail> {
  const parser = new PartBytesParser()
  let email: Awaited<ReturnType<PartBytesParser['parse']>>
  try {
    email = await parser.parse(raw)
  } catch (error) {
    throw new NotSchedulingMessage(`The message could not be read as email (${(error as Error).message}).`, 'unparsable')
  }
  const headers: Header[] = email.headers.map((h) => ({ key: h.key, value: h.value }))
  const contentType = headers.find((h) => h.key.toLowerCase() === 'content-type')?.value ?? ''

  const calendars: CalendarPart[] = []
  const seen = new Set<string>()
  const attachments: MailAttachment[] = []
  for (const attachment of email.attachments) {
    const part = parser.partBytes.get(attachment)
    const content =
      part?.bytes ??
      (typeof attachment.content === 'string' ? new TextEncoder().encode(attachment.content) : new Uint8Array(attachment.content))
    const mimeType = attachment.mimeType.toLowerCase()
    if (!isCalendarAttachment(mimeType, attachment.filename, content)) {
      attachments.push({ filename: attachment.filename, mimeType, content })
      continue
    }
    const text = calendarText(content, part?.charset ?? null)
    // An inline part and its invite.ics copy: keep one (the pipeline reads only the first anyway).
    if (seen.has(text)) continue
    seen.add(text)
    calendars.push({ text, contentTypeMethod: attachment.method ?? null })
  }
  // A part whose body names its METHOD beats a copy without one (libical complex-mime).
  calendars.sort((a, b) => Number(/^METHOD:/im.test(b.text)) - Number(/^METHOD:/im.test(a.text)))

  // The address by the one address rule, as the receipt's check reads it: postal-mime decodes
  // an encoded name before parsing, so a ':' in it made a group and no sender.
  const fromAddress = addressInHeader(headers.find((h) => h.key.toLowerCase() === 'from')?.value)
  const fromName = email.from?.address?.toLowerCase() === fromAddress ? email.from?.name?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() : ''
  return {
    from: fromAddress ? { email: fromAddress, name: fromName || null } : null,
    subject: email.subject ?? '',
    messageId: email.messageId ?? null,
    headers,
    kind: kindOf(headers, contentType, calendars.length > 0),
    calendars,
    attachments,
  }
}
