/**
 * Checks a raw invitation email against ITIP.md items 19–24, on its bytes alone: no code
 * of the server is used, so it judges mail taken from anywhere (the composer, the SES
 * stand-in, a file). It parses the MIME itself (headers, multipart, base64 and
 * quoted-printable, RFC 2047 words) and the calendar's physical lines, and asserts with
 * vitest's `expect`; each failure names the rule.
 *
 *   const parts = expectProperInvitation(raw, { method: 'REQUEST', recipient: 'bob@example.org', uid, sequence: 2, unsubscribe: true })
 *   // parts.calendar, parts.text, parts.html, parts.subject … for further checks
 */
import { expect } from 'vitest'

export interface ExpectedInvitation {
  method: 'REQUEST' | 'CANCEL'
  /** The one address the message goes to (compared case-insensitively). */
  recipient: string
  uid: string
  /** The SEQUENCE of the event (master VEVENT); overrides carry at least this. */
  sequence: number
  /** true: List-Unsubscribe (one-click) must be there; false: must not; omitted: not checked. */
  unsubscribe?: boolean
}

export interface MimeHeader {
  key: string
  /** Unfolded raw value (encoded words left as they are). */
  value: string
}

export interface MimePart {
  headers: MimeHeader[]
  /** Lower-cased media type (`text/calendar`). */
  type: string
  params: Record<string, string>
  transferEncoding: string
  /** Raw (still transfer-encoded) body. */
  rawBody: string
  /** Decoded body bytes (leaves only). */
  body: Buffer
  children: MimePart[]
}

export interface InvitationParts {
  headers: MimeHeader[]
  root: MimePart
  /** Subject with RFC 2047 words decoded. */
  subject: string
  /** From and To with RFC 2047 words decoded. */
  from: string
  to: string
  text: string
  html: string
  /** The calendar text as sent (inline part; the attachment is checked to be identical). */
  calendar: string
  /** Unfolded content lines of the calendar. */
  calendarLines: string[]
  unsubscribeUrl: string | null
}

const decoder = new TextDecoder('utf-8', { fatal: true })
const strictUtf8 = (bytes: Uint8Array) => decoder.decode(bytes)

// ---------------------------------------------------------------- MIME reading

function splitHeaderBlock(block: string): MimeHeader[] {
  if (!block) return []
  return block.split(/\r\n(?![ \t])/).map((line) => {
    const colon = line.indexOf(':')
    expect(colon, `header line without a colon: ${JSON.stringify(line.slice(0, 80))}`).toBeGreaterThan(0)
    return { key: line.slice(0, colon), value: line.slice(colon + 1).replace(/\r\n[ \t]/g, ' ').trim() }
  })
}

function headerValues(headers: MimeHeader[], key: string): string[] {
  return headers.filter((h) => h.key.toLowerCase() === key.toLowerCase()).map((h) => h.value)
}

function parseStructured(value: string): { value: string; params: Record<string, string> } {
  const [head, ...rest] = value.match(/(?:[^;"]+|"(?:[^"\\]|\\.)*")+/g) ?? ['']
  const params: Record<string, string> = {}
  for (const part of rest) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const key = part.slice(0, eq).trim().toLowerCase()
    let v = part.slice(eq + 1).trim()
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1')
    params[key] = v
  }
  return { value: head!.trim().toLowerCase(), params }
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = []
  const soft = text.replace(/=\r\n/g, '')
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!
    if (c === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(...Buffer.from(c, 'latin1'))
  }
  return Buffer.from(bytes)
}

function parsePart(raw: string, where: string): MimePart {
  const split = raw.indexOf('\r\n\r\n')
  const headerBlock = split < 0 ? raw : raw.slice(0, split)
  const rawBody = split < 0 ? '' : raw.slice(split + 4)
  const headers = splitHeaderBlock(headerBlock)
  const contentTypes = headerValues(headers, 'Content-Type')
  expect(contentTypes.length, `${where}: exactly one Content-Type`).toBe(1)
  const { value: type, params } = parseStructured(contentTypes[0]!)
  const transferEncoding = (headerValues(headers, 'Content-Transfer-Encoding')[0] ?? '7bit').toLowerCase()
  const part: MimePart = { headers, type, params, transferEncoding, rawBody, body: Buffer.alloc(0), children: [] }
  if (type.startsWith('multipart/')) {
    const boundary = params.boundary
    expect(boundary, `${where}: multipart without boundary`).toBeTruthy()
    const delimiter = `--${boundary}`
    const sections = rawBody.split(new RegExp(`(?:^|\\r\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(--)?[ \\t]*(?:\\r\\n|$)`))
    // sections: preamble, part, undefined|'--', part, … ; the '--' marks the close.
    let closed = false
    for (let i = 1; i < sections.length; i += 2) {
      const marker = sections[i]
      const content = sections[i + 1] ?? ''
      if (marker === '--') {
        closed = true
        break
      }
      part.children.push(parsePart(content, `${where} > ${part.children.length + 1}`))
    }
    expect(closed, `${where}: multipart is not closed with --${boundary}--`).toBe(true)
  } else if (transferEncoding === 'base64') {
    for (const line of rawBody.split('\r\n').filter(Boolean)) {
      expect(line, `${where}: base64 line`).toMatch(/^[A-Za-z0-9+/]+={0,2}$/)
      expect(line.length, `${where}: base64 lines are at most 76 characters`).toBeLessThanOrEqual(76)
    }
    part.body = Buffer.from(rawBody.replace(/\s+/g, ''), 'base64')
  } else if (transferEncoding === 'quoted-printable') {
    part.body = decodeQuotedPrintable(rawBody)
  } else {
    part.body = Buffer.from(rawBody, 'latin1')
  }
  return part
}

/** RFC 2047 encoded words (UTF-8 / ISO-8859-1, B and Q) decoded; adjacent words joined. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?[^?]+\?[BbQq]\?[^?]*\?=)/g, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, encoding: string, text: string) => {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text.replace(/_/g, ' '))
      return /^utf-?8$/i.test(charset) ? strictUtf8(bytes) : bytes.toString('latin1')
    })
}

// ---------------------------------------------------------------- calendar reading

interface ContentLine {
  name: string
  params: Record<string, string>
  value: string
}

function parseContentLine(line: string): ContentLine {
  let i = 0
  while (i < line.length && /[A-Za-z0-9-]/.test(line[i]!)) i++
  const name = line.slice(0, i).toUpperCase()
  const params: Record<string, string> = {}
  while (line[i] === ';') {
    i++
    const eq = line.indexOf('=', i)
    const key = line.slice(i, eq).toUpperCase()
    i = eq + 1
    let value = ''
    if (line[i] === '"') {
      const close = line.indexOf('"', i + 1)
      expect(close, `unterminated quoted parameter in ${name}`).toBeGreaterThan(i)
      value = line.slice(i + 1, close)
      i = close + 1
    } else {
      while (i < line.length && line[i] !== ';' && line[i] !== ':') i++
      value = line.slice(eq + 1, i)
    }
    params[key] = value
  }
  expect(line[i], `content line "${line.slice(0, 60)}" has no ':' before its value`).toBe(':')
  return { name, params, value: line.slice(i + 1) }
}

const TEXT_PROPERTIES = new Set(['SUMMARY', 'DESCRIPTION', 'LOCATION', 'COMMENT', 'CONTACT', 'RESOURCES', 'UID'])
const TIME_PROPERTIES = new Set(['DTSTART', 'DTEND', 'RECURRENCE-ID', 'EXDATE', 'RDATE', 'DUE'])

const unescapeText = (value: string) => value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))

/** Checks the calendar's physical form (ITIP 20) and returns its unfolded lines. */
function checkCalendarText(bytes: Buffer, where: string): string[] {
  expect(() => strictUtf8(bytes), `${where}: valid UTF-8 (a fold must not split a UTF-8 character)`).not.toThrow()
  const text = strictUtf8(bytes)
  expect(text.endsWith('\r\n'), `${where}: ends with CRLF`).toBe(true)
  expect(/\r(?!\n)|(?<!\r)\n/.test(text), `${where}: only CRLF line ends`).toBe(false)
  let offset = 0
  const physical = text.slice(0, -2).split('\r\n')
  for (const line of physical) {
    const length = Buffer.byteLength(line)
    const lineBytes = bytes.subarray(offset, offset + length)
    offset += length + 2
    expect(lineBytes.length, `${where}: line folded at 75 octets: ${JSON.stringify(line)}`).toBeLessThanOrEqual(75)
    // A fold inside a UTF-8 sequence leaves a line that is not valid UTF-8 on its own.
    expect(() => strictUtf8(lineBytes), `${where}: a fold split a UTF-8 character: ${JSON.stringify(line)}`).not.toThrow()
    expect(line.length, `${where}: no empty lines`).toBeGreaterThan(0)
  }
  return text.slice(0, -2).split(/\r\n(?![ \t])/).map((line) => line.replace(/\r\n[ \t]/g, ''))
}

interface Component {
  name: string
  lines: ContentLine[]
  children: Component[]
}

function components(lines: string[]): Component {
  const root: Component = { name: 'ROOT', lines: [], children: [] }
  const stack = [root]
  for (const raw of lines) {
    const line = parseContentLine(raw)
    if (line.name === 'BEGIN') {
      const component: Component = { name: line.value.toUpperCase(), lines: [], children: [] }
      stack.at(-1)!.children.push(component)
      stack.push(component)
    } else if (line.name === 'END') {
      expect(stack.at(-1)!.name, 'BEGIN/END nesting').toBe(line.value.toUpperCase())
      stack.pop()
    } else stack.at(-1)!.lines.push(line)
  }
  expect(stack, 'every BEGIN has its END').toHaveLength(1)
  return root
}

const property = (c: Component, name: string) => c.lines.filter((l) => l.name === name)
const mailtoOf = (value: string) => value.replace(/^mailto:/i, '').toLowerCase()

function checkCalendar(lines: string[], expected: ExpectedInvitation) {
  const root = components(lines)
  expect(root.children.map((c) => c.name), 'one VCALENDAR').toEqual(['VCALENDAR'])
  const calendar = root.children[0]!
  expect(property(calendar, 'METHOD').map((l) => l.value), 'METHOD').toEqual([expected.method])
  expect(property(calendar, 'VERSION').map((l) => l.value), 'VERSION').toEqual(['2.0'])
  expect(property(calendar, 'PRODID'), 'PRODID').toHaveLength(1)

  const zones = new Set(calendar.children.filter((c) => c.name === 'VTIMEZONE').map((z) => property(z, 'TZID')[0]?.value))
  const events = calendar.children.filter((c) => c.name === 'VEVENT')
  expect(events.length, 'at least one VEVENT').toBeGreaterThan(0)
  const masters = events.filter((e) => property(e, 'RECURRENCE-ID').length === 0)
  expect(masters, 'exactly one VEVENT without RECURRENCE-ID').toHaveLength(1)

  for (const event of events) {
    const rid = property(event, 'RECURRENCE-ID')[0]?.value
    const label = rid ? `VEVENT ${rid}` : 'VEVENT'
    expect(property(event, 'UID').map((l) => unescapeText(l.value)), `${label}: UID (ITIP 21)`).toEqual([expected.uid])
    const sequence = property(event, 'SEQUENCE').map((l) => Number(l.value))
    expect(sequence, `${label}: one SEQUENCE`).toHaveLength(1)
    if (rid) expect(sequence[0], `${label}: SEQUENCE at least the event's`).toBeGreaterThanOrEqual(expected.sequence)
    else expect(sequence[0], `${label}: SEQUENCE (ITIP 21)`).toBe(expected.sequence)
    expect(property(event, 'DTSTAMP').map((l) => l.value), `${label}: one DTSTAMP in UTC`).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z$/)])
    expect(property(event, 'DTSTART'), `${label}: DTSTART`).toHaveLength(1)

    const organizers = property(event, 'ORGANIZER')
    expect(organizers, `${label}: one ORGANIZER (ITIP 22)`).toHaveLength(1)
    expect(organizers[0]!.value, `${label}: ORGANIZER is a mailbox`).toMatch(/^mailto:[^@\s]+@[^@\s]+$/i)
    expect(organizers[0]!.params.CN?.trim(), `${label}: ORGANIZER has the organizer's name as CN`).toBeTruthy()

    const attendees = property(event, 'ATTENDEE')
    expect(attendees, `${label}: exactly one ATTENDEE (ITIP 22)`).toHaveLength(1)
    const attendee = attendees[0]!
    expect(mailtoOf(attendee.value), `${label}: the ATTENDEE is the recipient`).toBe(expected.recipient.toLowerCase())
    if (expected.method === 'REQUEST') {
      expect(
        { PARTSTAT: attendee.params.PARTSTAT, RSVP: attendee.params.RSVP?.toUpperCase(), ROLE: attendee.params.ROLE },
        `${label}: ATTENDEE asked to answer (ITIP 22)`,
      ).toEqual({ PARTSTAT: 'NEEDS-ACTION', RSVP: 'TRUE', ROLE: 'REQ-PARTICIPANT' })
    }
    if (expected.method === 'CANCEL' && !rid) {
      expect(property(event, 'STATUS').map((l) => l.value), 'CANCEL: STATUS:CANCELLED (ITIP 21)').toEqual(['CANCELLED'])
    }

    for (const line of event.lines) {
      if (TEXT_PROPERTIES.has(line.name)) {
        // After removing valid escapes nothing may remain that needed one.
        const rest = line.value.replace(/\\[\\;,nN]/g, '')
        expect(rest, `${label}: ${line.name} escapes \\ ; , (ITIP 20)`).not.toMatch(/[\\;,]/)
      }
      if (TIME_PROPERTIES.has(line.name)) {
        if (line.params.TZID) expect(zones.has(line.params.TZID), `${label}: VTIMEZONE for TZID ${line.params.TZID} (ITIP 20)`).toBe(true)
        else if ((line.params.VALUE ?? '').toUpperCase() !== 'DATE' && (line.params.VALUE ?? '').toUpperCase() !== 'PERIOD') {
          for (const value of line.value.split(',')) expect(value, `${label}: ${line.name} in UTC or with a TZID`).toMatch(/^\d{8}T\d{6}Z$/)
        }
      }
    }
  }
  for (const zone of calendar.children.filter((c) => c.name === 'VTIMEZONE')) {
    const observances = zone.children.filter((c) => c.name === 'STANDARD' || c.name === 'DAYLIGHT')
    expect(observances.length, `VTIMEZONE ${property(zone, 'TZID')[0]?.value} has observances`).toBeGreaterThan(0)
  }
}

// ---------------------------------------------------------------- the message

/** Asserts ITIP 19–24 on a raw message and returns its parts for further checks. */
export function expectProperInvitation(raw: Buffer | Uint8Array | string, expected: ExpectedInvitation): InvitationParts {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw)
  const text = bytes.toString('latin1')
  expect(/\r(?!\n)|(?<!\r)\n/.test(text), 'the message uses CRLF line ends').toBe(false)
  const split = text.indexOf('\r\n\r\n')
  expect(split, 'the message has a header block').toBeGreaterThan(0)
  const headerBlock = text.slice(0, split)

  // ITIP 24: headers are ASCII (non-ASCII only as RFC 2047 words) and cannot be injected.
  expect(/[^\x09\x0d\x0a\x20-\x7e]/.test(headerBlock), 'headers are 7-bit ASCII: non-ASCII names RFC 2047 encoded (ITIP 24)').toBe(false)
  for (const line of headerBlock.split('\r\n')) expect(line.length, 'header lines at most 998 characters').toBeLessThanOrEqual(998)
  const root = parsePart(text, 'message')
  const headers = root.headers
  for (const h of headers) expect(h.key, 'header names are tokens').toMatch(/^[A-Za-z0-9-]+$/)
  for (const key of ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version']) {
    expect(headerValues(headers, key), `exactly one ${key} header (ITIP 24: no injected duplicates)`).toHaveLength(1)
  }
  for (const key of ['Cc', 'Bcc']) expect(headerValues(headers, key), `no ${key}: recipients never see each other (ITIP 22)`).toHaveLength(0)
  expect(headerValues(headers, 'MIME-Version')[0]).toBe('1.0')
  expect(headerValues(headers, 'Content-Class'), 'Content-Class (ITIP 19)').toEqual(['urn:content-classes:calendarmessage'])

  const to = decodeWords(headerValues(headers, 'To')[0]!)
  // One address: without quoted names, exactly one @ remains.
  const toRaw = headerValues(headers, 'To')[0]!.replace(/=\?[^?]+\?[BbQq]\?[^?]*\?=/g, 'name').replace(/"(?:[^"\\]|\\.)*"/g, 'name')
  expect(toRaw.split('@').length - 1, 'To names exactly one address (ITIP 22)').toBe(1)
  expect((/<([^>]+)>\s*$/.exec(toRaw)?.[1] ?? toRaw).trim().toLowerCase(), 'To is the recipient').toBe(expected.recipient.toLowerCase())
  const from = decodeWords(headerValues(headers, 'From')[0]!)
  expect(from, 'From is a mailbox').toMatch(/<?[^@\s<>]+@[^@\s<>]+>?$/)
  const subject = decodeWords(headerValues(headers, 'Subject')[0]!)
  expect(subject, 'the subject says what the message is').toMatch(expected.method === 'CANCEL' ? /^Cancelled: / : /^(Invitation|Updated invitation): /)
  expect(/[\u0000-\u001f\u007f]/.test(subject + from + to), 'no control characters in decoded headers (ITIP 24)').toBe(false)

  // ITIP 23: one-click unsubscribe.
  const listUnsubscribe = headerValues(headers, 'List-Unsubscribe')
  const listUnsubscribePost = headerValues(headers, 'List-Unsubscribe-Post')
  let unsubscribeUrl: string | null = null
  if (expected.unsubscribe === true) {
    expect(listUnsubscribe, 'List-Unsubscribe (ITIP 23)').toHaveLength(1)
    const match = /^<(https:\/\/[^>\s]+|http:\/\/[^>\s]+)>$/.exec(listUnsubscribe[0]!.replace(/\s+/g, ''))
    expect(match, 'List-Unsubscribe is <http(s) URL>').toBeTruthy()
    unsubscribeUrl = match![1]!
    expect(listUnsubscribePost, 'List-Unsubscribe-Post (RFC 8058)').toEqual(['List-Unsubscribe=One-Click'])
  } else if (expected.unsubscribe === false) {
    expect(listUnsubscribe, 'no List-Unsubscribe').toHaveLength(0)
    expect(listUnsubscribePost, 'no List-Unsubscribe-Post').toHaveLength(0)
  }

  // ITIP 19: the shape.
  expect(root.type, 'multipart/mixed at the top (ITIP 19)').toBe('multipart/mixed')
  expect(root.children.map((c) => c.type), 'mixed ( alternative, invite.ics )').toEqual(['multipart/alternative', expect.stringMatching(/^(application\/ics|text\/calendar)$/)])
  const alternative = root.children[0]!
  const attachment = root.children[1]!
  expect(alternative.children.map((c) => c.type), 'alternative ( text/plain, text/html, text/calendar )').toEqual(['text/plain', 'text/html', 'text/calendar'])
  const [plain, html, inline] = alternative.children as [MimePart, MimePart, MimePart]
  expect(inline.params.charset?.toUpperCase(), 'text/calendar charset=UTF-8').toBe('UTF-8')
  expect(inline.params.method?.toUpperCase(), 'text/calendar method= (ITIP 19)').toBe(expected.method)
  for (const [part, name] of [[inline, 'text/calendar'], [attachment, 'invite.ics']] as const) {
    expect(part.transferEncoding, `${name} is base64, never quoted-printable (ITIP 19)`).toBe('base64')
  }
  const disposition = parseStructured(headerValues(attachment.headers, 'Content-Disposition')[0] ?? '')
  expect(disposition.value, 'invite.ics is an attachment').toBe('attachment')
  expect(disposition.params.filename ?? attachment.params.name, 'the attachment is named invite.ics').toBe('invite.ics')
  expect(attachment.body.equals(inline.body), 'invite.ics carries the same calendar as the inline part').toBe(true)

  const decodeText = (part: MimePart, name: string) => {
    const charset = (part.params.charset ?? 'us-ascii').toLowerCase()
    expect(['utf-8', 'us-ascii'], `${name} charset`).toContain(charset)
    return strictUtf8(part.body)
  }
  const plainText = decodeText(plain, 'text/plain')
  const htmlText = decodeText(html, 'text/html')
  expect(plainText.trim().length, 'a plain-text body').toBeGreaterThan(0)
  expect(htmlText.trim().length, 'an HTML body').toBeGreaterThan(0)
  if (unsubscribeUrl) {
    expect(plainText, 'the unsubscribe link in the text body').toContain(unsubscribeUrl)
    expect(htmlText.replace(/&amp;/g, '&'), 'the unsubscribe link in the HTML body').toContain(unsubscribeUrl)
  }

  // ITIP 20–22: the calendar.
  const calendarLines = checkCalendarText(inline.body, 'text/calendar')
  checkCalendar(calendarLines, expected)
  const methodLine = calendarLines.find((l) => /^METHOD:/i.test(l))
  expect(methodLine?.slice(7), 'the body METHOD equals the Content-Type method= (ITIP 20)').toBe(inline.params.method?.toUpperCase())

  return {
    headers,
    root,
    subject,
    from,
    to,
    text: plainText,
    html: htmlText,
    calendar: strictUtf8(inline.body),
    calendarLines,
    unsubscribeUrl,
  }
}
