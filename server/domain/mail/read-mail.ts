/**
 * Reads a raw RFC 5322 message (postal-mime) into what the pipeline needs: who sent it,
 * the SES verdicts, whether it is a bounce / auto-reply / loop, and its calendar parts,
 * found in any MIME shape and de-duplicated (an inline text/calendar and its invite.ics
 * copy are one calendar).
 */
import PostalMime from 'postal-mime'
import type { Person } from '../scheduling'
import { readReceiptVerdicts, type Header, type ReceiptVerdicts } from './receipt'

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
  verdicts: ReceiptVerdicts
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

const CR = 0x0d
const LF = 0x0a
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

/**
 * A calendar part's text: UTF-8, as iCalendar requires, or where the bytes are not UTF-8,
 * windows-1252 (a superset of Latin-1), which is what Exchange's CDO sends as 8bit with no
 * charset. Only parts postal-mime hands over as bytes (an invite.ics sent as
 * application/octet-stream) get here undecoded: text/calendar and application/ics parts it
 * has already decoded to UTF-8 itself, with the part's charset.
 */
function calendarText(content: Uint8Array): string {
  const bytes = unfoldBytes(content)
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return windows1252.decode(bytes)
  }
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

export async function readMail(raw: Uint8Array | string): Promise<ReceivedMail> {
  const email = await PostalMime.parse(raw)
  const headers: Header[] = email.headers.map((h) => ({ key: h.key, value: h.value }))
  const contentType = headers.find((h) => h.key.toLowerCase() === 'content-type')?.value ?? ''

  const calendars: CalendarPart[] = []
  const seen = new Set<string>()
  const attachments: MailAttachment[] = []
  for (const attachment of email.attachments) {
    const content =
      typeof attachment.content === 'string' ? new TextEncoder().encode(attachment.content) : new Uint8Array(attachment.content)
    const mimeType = attachment.mimeType.toLowerCase()
    if (!isCalendarAttachment(mimeType, attachment.filename, content)) {
      attachments.push({ filename: attachment.filename, mimeType, content })
      continue
    }
    const text = calendarText(content)
    // An inline part and its invite.ics copy: keep one (the pipeline reads only the first anyway).
    if (seen.has(text)) continue
    seen.add(text)
    calendars.push({ text, contentTypeMethod: attachment.method ?? null })
  }
  // A part whose body names its METHOD beats a copy without one (libical complex-mime).
  calendars.sort((a, b) => Number(/^METHOD:/im.test(b.text)) - Number(/^METHOD:/im.test(a.text)))

  const fromAddress = email.from?.address ?? ''
  return {
    from: fromAddress ? { email: fromAddress.toLowerCase(), name: email.from?.name || null } : null,
    subject: email.subject ?? '',
    messageId: email.messageId ?? null,
    headers,
    verdicts: readReceiptVerdicts(headers),
    kind: kindOf(headers, contentType, calendars.length > 0),
    calendars,
    attachments,
  }
}
