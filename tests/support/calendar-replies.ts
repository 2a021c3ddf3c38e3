/**
 * The answer an attendee's calendar client mails back to an invitation (iTIP REPLY over
 * iMIP), built from the invitation exactly as it arrived: what Apple Calendar, Thunderbird
 * Lightning, Gmail (Google Calendar) and Outlook (Exchange) send when someone clicks
 * Yes / No / Maybe. Each builder returns the raw RFC 5322 message (CRLF) in that client's
 * MIME shape; the calendar copies UID, SEQUENCE, RECURRENCE-ID, ORGANIZER and DTSTART
 * from the invitation and carries the attendee's PARTSTAT and a fresh DTSTAMP.
 *
 * Where each shape comes from:
 * - Apple: `../shared/corpus/eml/apple__ccs__good_reply.eml` (Apple iCal 3.0 via Apple Mail,
 *   apple/ccs-calendarserver test data, a real capture): multipart/alternative (text/plain,
 *   multipart/mixed (text/html, the calendar as a quoted-printable `iCal-<stamp>.ics`
 *   attachment with no `method=` parameter, text/html)); every space, `=`, CR and LF of the
 *   calendar escaped (`=20`, `=3D`, `=0D=0A`) and soft breaks anywhere, even mid-parameter;
 *   `X-Mail-Calendar-Part: Yes`; ATTENDEE with a quoted CN, CUTYPE, PARTSTAT and ROLE.
 *   The corpus PRODID is anonymised ("-//example Inc.//iCal 3.0//EN"); Apple's is
 *   "-//Apple Inc.//iCal 3.0//EN".
 * - Lightning: `../shared/corpus/eml/lightning__james__reply.eml` (apache/james-project):
 *   a single `text/calendar; method=REPLY; charset=UTF-8` part sent 8bit with
 *   `Content-class: urn:content-classes:calendarmessage`; Mozilla's PRODID; ATTENDEE with
 *   CN, PARTSTAT and CUTYPE.
 * - Gmail: not in the corpus. Written from Google Calendar's replies as seen in mail sources
 *   and in other projects' fixtures (cyrus-imapd's `imip_reply_override_google`, whose
 *   ATTENDEE carries only CN and PARTSTAT; PRODID "-//Google Inc//Google Calendar 70.9054//EN"
 *   and the VEVENT property order DTSTART, DTEND, DTSTAMP, ORGANIZER, UID, ATTENDEE, …,
 *   SEQUENCE, STATUS, SUMMARY, TRANSP): multipart/mixed (multipart/alternative (text/plain,
 *   text/html, `text/calendar; charset="UTF-8"; method=REPLY` base64), `invite.ics` as
 *   `application/ics` base64); Subject "Accepted: <title> @ <when> (<attendee>)".
 * - Outlook / Exchange: not in the corpus. Written from Exchange's meeting responses
 *   (Exchange Online and on-premises write "PRODID:Microsoft Exchange Server 2010"; the
 *   corpus's Exchange REQUESTs show the same VTIMEZONE style: Windows zone names, 1601-based
 *   STANDARD/DAYLIGHT rules, TZID unquoted): multipart/alternative (text/plain, text/html,
 *   `text/calendar; charset="utf-8"; method=REPLY` base64); Subject and SUMMARY
 *   "Accepted: <title>" (Declined:, Tentative:); Thread-Topic / Thread-Index; ATTENDEE with
 *   PARTSTAT then CN; COMMENT with the attendee's note; X-MICROSOFT-CDO-* properties. Times
 *   are written in the responder's mailbox time zone under its Windows name, as Exchange does.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'

export type ReplyAnswer = 'ACCEPTED' | 'DECLINED' | 'TENTATIVE'
export type CalendarClient = 'apple' | 'lightning' | 'gmail' | 'outlook'

// ------------------------------------------------------------------ reading the invitation

export interface Property {
  name: string
  /** Parameters as written, without the leading `;` (`TZID=Europe/Berlin`), or ''. */
  params: string
  value: string
}

export interface InvitedComponent {
  uid: string
  sequence: number
  dtstart: Property
  dtend: Property | null
  recurrenceId: Property | null
  organizer: Property
  summary: string
  location: string | null
  /** The ATTENDEE the invitation was addressed to (one per invitation). */
  attendee: { email: string; name: string | null }
}

export interface ReceivedInvitation {
  method: string
  /** VEVENTs in order: the master first, or only overrides. */
  components: InvitedComponent[]
  /** Raw VTIMEZONE blocks (unfolded lines), as the invitation carried them. */
  timezones: string[][]
  /** The invitation's Subject and Message-ID, for In-Reply-To / References. */
  subject: string
  messageId: string | null
  /** Where the reply goes: the invitation's Reply-To or From address. */
  replyTo: string
}

/** Unfolded content lines (CRLF or LF, continuation starting with a space or tab). */
export function unfold(text: string): string[] {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]/g, '')
    .split('\n')
    .filter((line) => line.length > 0)
}

export function parseLine(line: string): Property {
  let quoted = false
  let colon = -1
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '"') quoted = !quoted
    else if (c === ':' && !quoted) {
      colon = i
      break
    }
  }
  const head = colon === -1 ? line : line.slice(0, colon)
  const semicolon = head.indexOf(';')
  return {
    name: (semicolon === -1 ? head : head.slice(0, semicolon)).toUpperCase(),
    params: semicolon === -1 ? '' : head.slice(semicolon + 1),
    value: colon === -1 ? '' : line.slice(colon + 1),
  }
}

/** A parameter's value (unquoted), case-insensitive name. */
export function paramOf(property: Property, name: string): string | null {
  const pattern = new RegExp(`(?:^|;)${name}=("[^"]*"|[^;]*)`, 'i')
  const match = pattern.exec(property.params)
  return match ? match[1]!.replace(/^"(.*)"$/, '$1') : null
}

const unescapeText = (value: string) => value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))
const escapeText = (value: string) => value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n')
const addressOf = (value: string) => value.replace(/^mailto:/i, '').trim().toLowerCase()

/** The calendar text of a received invitation, decoded from whatever MIME shape carries it. */
export async function invitationCalendar(raw: Buffer | string): Promise<{ text: string; mail: Awaited<ReturnType<typeof PostalMime.parse>> }> {
  const mail = await PostalMime.parse(raw)
  const part =
    mail.attachments.find((a) => a.mimeType.toLowerCase() === 'text/calendar') ??
    mail.attachments.find((a) => /ics|calendar/i.test(a.mimeType) || /\.ics$/i.test(a.filename ?? ''))
  if (!part) throw new Error('The message carries no calendar.')
  const content = part.content
  const text = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content instanceof Uint8Array ? content : new Uint8Array(content))
  return { text, mail }
}

/** Reads a received invitation (the raw MIME the SES stand-in kept) into what a reply copies. */
export async function readInvitation(raw: Buffer | string): Promise<ReceivedInvitation> {
  const { text, mail } = await invitationCalendar(raw)
  const lines = unfold(text)
  const components: InvitedComponent[] = []
  const timezones: string[][] = []
  let method = ''
  let current: Property[] | null = null
  let zone: string[] | null = null
  let depth = 0
  for (const line of lines) {
    const property = parseLine(line)
    if (property.name === 'BEGIN') {
      depth++
      if (property.value.toUpperCase() === 'VEVENT' && depth === 2) current = []
      if (property.value.toUpperCase() === 'VTIMEZONE' && depth === 2) zone = []
    }
    if (zone) zone.push(line)
    else if (current && depth === 2 && property.name !== 'BEGIN') current.push(property)
    if (depth === 1 && property.name === 'METHOD') method = property.value.toUpperCase()
    if (property.name === 'END') {
      if (depth === 2 && property.value.toUpperCase() === 'VEVENT' && current) {
        components.push(componentOf(current))
        current = null
      }
      if (depth === 2 && property.value.toUpperCase() === 'VTIMEZONE' && zone) {
        timezones.push(zone)
        zone = null
      }
      depth--
    }
  }
  if (!components.length) throw new Error('The invitation has no VEVENT.')
  const replyTo = mail.replyTo?.[0]?.address ?? mail.from?.address ?? addressOf(components[0]!.organizer.value)
  return { method, components, timezones, subject: mail.subject ?? '', messageId: mail.messageId ?? null, replyTo }
}

function componentOf(properties: Property[]): InvitedComponent {
  const one = (name: string) => properties.find((p) => p.name === name) ?? null
  const need = (name: string) => {
    const found = one(name)
    if (!found) throw new Error(`The invitation's VEVENT has no ${name}.`)
    return found
  }
  const attendees = properties.filter((p) => p.name === 'ATTENDEE')
  if (attendees.length !== 1) throw new Error(`An invitation names exactly one ATTENDEE; this one names ${attendees.length}.`)
  const attendee = attendees[0]!
  return {
    uid: need('UID').value,
    sequence: Number(one('SEQUENCE')?.value ?? 0),
    dtstart: need('DTSTART'),
    dtend: one('DTEND'),
    recurrenceId: one('RECURRENCE-ID'),
    organizer: need('ORGANIZER'),
    summary: unescapeText(one('SUMMARY')?.value ?? ''),
    location: one('LOCATION') ? unescapeText(one('LOCATION')!.value) : null,
    attendee: { email: addressOf(attendee.value), name: paramOf(attendee, 'CN') },
  }
}

// ------------------------------------------------------------------ writing iCalendar

const line = (name: string, params: string, value: string) => `${name}${params ? `;${params}` : ''}:${value}`
const propertyLine = (p: Property) => line(p.name, p.params, p.value)

/** Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1). */
export function fold(text: string): string {
  const out: string[] = []
  let current = ''
  let octets = 0
  for (const char of text) {
    const size = Buffer.byteLength(char)
    const limit = out.length === 0 ? 75 : 74 // continuation lines start with a space
    if (octets + size > limit) {
      out.push(current)
      current = ''
      octets = 0
    }
    current += char
    octets += size
  }
  out.push(current)
  return out.join('\r\n ')
}

const calendarText = (lines: string[]) => `${lines.map(fold).join('\r\n')}\r\n`

/** `20261120T101500Z` */
export const icalStamp = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')

/** A parameter value, quoted when it holds `:`, `;` or `,` (RFC 5545 3.2). */
const paramValue = (value: string) => (/[:;,]/.test(value) ? `"${value.replace(/"/g, "'")}"` : value)

// ------------------------------------------------------------------ writing MIME

const boundaryOf = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`
const base64Lines = (content: string | Buffer) => (Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8')).toString('base64').replace(/.{76}(?=.)/g, '$&\r\n')

/** RFC 2047 encoded word for a header value that is not plain ASCII. */
export const encodeWord = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`)

const mailbox = (name: string | null, email: string) => (name ? `${/^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, '')}"` : encodeWord(name)} <${email}>` : `<${email}>`)

const rfc2822Date = (date: Date) => date.toUTCString().replace('GMT', '+0000')

/**
 * Quoted-printable the way Apple Mail writes a calendar attachment: only letters, digits and
 * a few safe marks stay literal; spaces, `=`, CR and LF are escaped, and lines break softly at
 * 76 characters wherever they fall (inside a parameter too), never inside an escape.
 */
export function appleQuotedPrintable(text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  const out: string[] = []
  let current = ''
  for (const byte of bytes) {
    const literal = (byte >= 0x21 && byte <= 0x7e && byte !== 0x3d) ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`
    if (current.length + literal.length > 75) {
      out.push(`${current}=`)
      current = ''
    }
    current += literal
  }
  out.push(current)
  return out.join('\r\n')
}

// ------------------------------------------------------------------ the replies

export interface ReplyOptions {
  answer: ReplyAnswer
  /** Who answers: by default the invitation's ATTENDEE (someone else answering a forwarded invite). */
  attendee?: { email: string; name?: string | null }
  /** When the attendee answered (DTSTAMP, Date); default now. */
  now?: Date
  /** A note to the organizer (Outlook's response text, Gmail's note). */
  comment?: string
  /** Outlook: the responder's mailbox time zone, by its Windows name. */
  timeZone?: WindowsZoneName
}

export interface BuiltReply {
  /** The raw message, CRLF line ends. */
  raw: string
  /** The From address (lower case). */
  from: string
  /** The iCalendar object inside. */
  calendar: string
}

interface ReplyParts {
  invitation: ReceivedInvitation
  component: InvitedComponent
  answer: ReplyAnswer
  email: string
  name: string | null
  now: Date
  stamp: string
  comment: string | null
}

function partsOf(invitation: ReceivedInvitation, options: ReplyOptions): ReplyParts {
  const component = invitation.components[0]!
  const email = (options.attendee?.email ?? component.attendee.email).toLowerCase()
  const name = options.attendee ? (options.attendee.name ?? null) : component.attendee.name
  const now = options.now ?? new Date()
  return { invitation, component, answer: options.answer, email, name, now, stamp: icalStamp(now), comment: options.comment ?? null }
}

const VERB: Record<ReplyAnswer, { accepted: string; subject: string }> = {
  ACCEPTED: { accepted: 'accepted', subject: 'Accepted' },
  DECLINED: { accepted: 'declined', subject: 'Declined' },
  TENTATIVE: { accepted: 'tentatively accepted', subject: 'Tentative' },
}

const threadHeaders = (invitation: ReceivedInvitation) =>
  invitation.messageId ? [`In-Reply-To: ${invitation.messageId}`, `References: ${invitation.messageId}`] : []

// ---------------------------------------------------------------- Apple Calendar

/** Apple Calendar (iCal, via Apple Mail): shape of corpus `apple__ccs__good_reply.eml`. */
export function appleReply(invitation: ReceivedInvitation, options: ReplyOptions): BuiltReply {
  const p = partsOf(invitation, options)
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//Apple Inc.//iCal 3.0//EN',
    'CALSCALE:GREGORIAN',
    'VERSION:2.0',
    'METHOD:REPLY',
    ...invitation.timezones.flat(),
  ]
  for (const c of invitation.components) {
    lines.push(
      'BEGIN:VEVENT',
      `SEQUENCE:${c.sequence}`,
      ...(c.recurrenceId ? [propertyLine(c.recurrenceId)] : []),
      propertyLine(c.dtstart),
      `UID:${c.uid}`,
      propertyLine(c.organizer),
      `DTSTAMP:${p.stamp}`,
      `SUMMARY:${escapeText(c.summary)}`,
      // Apple quotes CN and, when it has no name for the account, uses the address.
      `ATTENDEE;CN="${(p.name ?? p.email).replace(/"/g, "'")}";CUTYPE=INDIVIDUAL;PARTSTAT=${p.answer};ROLE=REQ-PARTICIPANT:mailto:${p.email}`,
      `CREATED:${p.stamp}`,
      ...(c.dtend ? [propertyLine(c.dtend)] : []),
      'END:VEVENT',
    )
  }
  lines.push('END:VCALENDAR')
  const calendar = calendarText(lines)
  const c = p.component
  const outer = `Apple-Mail-1--${randomBytes(5).readUInt32BE(0)}`
  const inner = outer.replace('-1--', '-2--')
  const when = appleWhen(c)
  const sentence = `${p.name ?? p.email} has ${VERB[p.answer].accepted} your iCal event invitation to the event: ${c.summary}, scheduled for ${when}.`
  const filename = `iCal-${p.stamp.slice(0, 8)}-${p.stamp.slice(9, 15)}.ics`
  const subjectVerb = { ACCEPTED: 'Event accepted', DECLINED: 'Event declined', TENTATIVE: 'Event tentatively accepted' }[p.answer]
  const raw = [
    `Date: ${rfc2822Date(p.now)}`,
    `From: ${mailbox(p.name, p.email)}`,
    `Subject: ${encodeWord(`${subjectVerb}: ${c.summary}`)}`,
    `To: ${invitation.replyTo}`,
    `Message-id: <${randomUUID().toUpperCase()}@${p.email.split('@')[1]}>`,
    ...threadHeaders(invitation),
    'MIME-version: 1.0 (Apple Message framework v928.1)',
    'X-Mailer: Apple Mail (2.928.1)',
    `Content-type: multipart/alternative; boundary=${outer}`,
    'X-Mail-Calendar-Part: Yes',
    '',
    '',
    `--${outer}`,
    'Content-Type: text/plain;',
    '\tcharset=UTF-8;',
    '\tformat=flowed;',
    '\tdelsp=yes',
    'Content-Transfer-Encoding: 8bit',
    '',
    sentence,
    `--${outer}`,
    'Content-Type: multipart/mixed;',
    `\tboundary=${inner}`,
    '',
    '',
    `--${inner}`,
    'Content-Type: text/html;',
    '\tcharset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `<html><body style="word-wrap: break-word; -webkit-nbsp-mode: space; -webkit-line-break: after-white-space; "><div>${htmlText(sentence)}</div></body></html>`,
    `--${inner}`,
    'Content-Disposition: attachment;',
    `\tfilename=${filename}`,
    'Content-Type: text/calendar;',
    '\tx-unix-mode=0644;',
    `\tname="${filename}"`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    appleQuotedPrintable(calendar),
    '',
    `--${inner}`,
    'Content-Type: text/html;',
    '\tcharset=US-ASCII',
    'Content-Transfer-Encoding: 7bit',
    '',
    '<html><body style="word-wrap: break-word; -webkit-nbsp-mode: space; -webkit-line-break: after-white-space; "><div></div></body></html>',
    `--${inner}--`,
    '',
    `--${outer}--`,
    '',
  ].join('\r\n')
  return { raw, from: p.email, calendar }
}

/** "January 15, 2027 at 9:00 AM (UTC)", as Apple's reply text writes the start. */
function appleWhen(c: InvitedComponent): string {
  const start = dateOf(c.dtstart.value)
  const day = start.toLocaleDateString('en-US', { timeZone: 'UTC', month: 'long', day: 'numeric', year: 'numeric' })
  if (c.dtstart.value.length === 8) return day
  const time = start.toLocaleTimeString('en-US', { timeZone: 'UTC', hour: 'numeric', minute: '2-digit' })
  return `${day} at ${time} (${paramOf(c.dtstart, 'TZID') ?? 'UTC'})`
}

const htmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

// ---------------------------------------------------------------- Thunderbird Lightning

/** Thunderbird Lightning: shape of corpus `lightning__james__reply.eml` (one 8bit calendar part). */
export function lightningReply(invitation: ReceivedInvitation, options: ReplyOptions): BuiltReply {
  const p = partsOf(invitation, options)
  const lines = ['BEGIN:VCALENDAR', 'PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN', 'VERSION:2.0', 'METHOD:REPLY', ...invitation.timezones.flat()]
  for (const c of invitation.components) {
    lines.push(
      'BEGIN:VEVENT',
      `CREATED:${p.stamp}`,
      `LAST-MODIFIED:${p.stamp}`,
      `DTSTAMP:${p.stamp}`,
      `UID:${c.uid}`,
      `SUMMARY:${escapeText(c.summary)}`,
      propertyLine(c.organizer),
      `ATTENDEE;${p.name ? `CN=${paramValue(p.name)};` : ''}PARTSTAT=${p.answer};CUTYPE=INDIVIDUAL:mailto:${p.email}`,
      ...(c.recurrenceId ? [propertyLine(c.recurrenceId)] : []),
      propertyLine(c.dtstart),
      ...(c.dtend ? [propertyLine(c.dtend)] : []),
      'TRANSP:OPAQUE',
      `SEQUENCE:${c.sequence}`,
      ...(p.comment ? [`COMMENT:${escapeText(p.comment)}`] : []),
      'END:VEVENT',
    )
  }
  lines.push('END:VCALENDAR')
  const calendar = calendarText(lines)
  const raw = [
    `From: ${mailbox(p.name, p.email)}`,
    `Message-ID: <${randomUUID()}@${p.email.split('@')[1]}>`,
    `To: ${invitation.replyTo}`,
    `Date: ${rfc2822Date(p.now)}`,
    'MIME-Version: 1.0',
    `Subject: ${encodeWord(`${VERB[p.answer].subject === 'Tentative' ? 'Tentatively accepted' : VERB[p.answer].subject}: ${p.component.summary}`)}`,
    ...threadHeaders(invitation),
    'Content-class: urn:content-classes:calendarmessage',
    'Content-Type: text/calendar; method=REPLY; charset=UTF-8',
    'Content-transfer-encoding: 8BIT',
    '',
    calendar,
  ].join('\r\n')
  return { raw, from: p.email, calendar }
}

// ---------------------------------------------------------------- Gmail

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** A UTC `YYYYMMDDTHHMMSSZ` (or a date) as a Date; other forms (local with TZID) read as UTC. */
function dateOf(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?/.exec(value)
  if (!m) return new Date(NaN)
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)))
}

/** Google's "9am" / "9:30am". */
const googleTime = (d: Date) => {
  const h = d.getUTCHours()
  const m = d.getUTCMinutes()
  return `${h % 12 || 12}${m ? `:${String(m).padStart(2, '0')}` : ''}${h < 12 ? 'am' : 'pm'}`
}

/** "Fri Jan 15, 2027 9am - 10am (UTC)", as in Google Calendar's notification subjects. */
function googleWhen(c: InvitedComponent): string {
  const start = dateOf(c.dtstart.value)
  const end = c.dtend ? dateOf(c.dtend.value) : null
  const zone = paramOf(c.dtstart, 'TZID') ?? 'UTC'
  const day = `${WEEKDAYS[start.getUTCDay()]} ${MONTHS[start.getUTCMonth()]} ${start.getUTCDate()}, ${start.getUTCFullYear()}`
  if (c.dtstart.value.length === 8) return day
  return `${day} ${googleTime(start)}${end ? ` - ${googleTime(end)}` : ''} (${zone})`
}

/** Gmail (Google Calendar): see the module comment for where this shape comes from. */
export function gmailReply(invitation: ReceivedInvitation, options: ReplyOptions): BuiltReply {
  const p = partsOf(invitation, options)
  const lines = ['BEGIN:VCALENDAR', 'PRODID:-//Google Inc//Google Calendar 70.9054//EN', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:REPLY', ...invitation.timezones.flat()]
  for (const c of invitation.components) {
    lines.push(
      'BEGIN:VEVENT',
      propertyLine(c.dtstart),
      ...(c.dtend ? [propertyLine(c.dtend)] : []),
      `DTSTAMP:${p.stamp}`,
      propertyLine(c.organizer),
      `UID:${c.uid}`,
      ...(c.recurrenceId ? [propertyLine(c.recurrenceId)] : []),
      `ATTENDEE;CN=${paramValue(p.name ?? p.email)};PARTSTAT=${p.answer}:mailto:${p.email}`,
      ...(p.comment ? [`COMMENT:${escapeText(p.comment)}`] : []),
      `LAST-MODIFIED:${p.stamp}`,
      `LOCATION:${escapeText(c.location ?? '')}`,
      `SEQUENCE:${c.sequence}`,
      'STATUS:CONFIRMED',
      `SUMMARY:${escapeText(c.summary)}`,
      'TRANSP:OPAQUE',
      'END:VEVENT',
    )
  }
  lines.push('END:VCALENDAR')
  const calendar = calendarText(lines)
  const c = p.component
  const verb = { ACCEPTED: 'Accepted', DECLINED: 'Declined', TENTATIVE: 'Tentatively Accepted' }[p.answer]
  const who = p.name ? `${p.name} has ${verb.toLowerCase()} this invitation.` : `${p.email} has ${verb.toLowerCase()} this invitation.`
  const mixed = `000000000000${randomBytes(7).toString('hex')}`
  const alternative = `000000000000${randomBytes(7).toString('hex')}`
  const text = `${who}\r\n\r\n${c.summary}\r\n${googleWhen(c)}\r\n${p.comment ? `\r\n${p.comment}\r\n` : ''}\r\nInvitation from Google Calendar\r\n`
  const html = `<span itemscope itemtype="http://schema.org/InformAction"><span itemprop="object" itemscope itemtype="http://schema.org/Event"><meta itemprop="eventStatus" content="http://schema.org/EventScheduled"/><h3>${htmlText(who)}</h3><p>${htmlText(c.summary)}<br>${htmlText(googleWhen(c))}</p></span></span>`
  const raw = [
    'MIME-Version: 1.0',
    `Date: ${rfc2822Date(p.now)}`,
    `Message-ID: <calendar-${randomUUID()}@google.com>`,
    ...threadHeaders(invitation),
    `Subject: ${encodeWord(`${verb}: ${c.summary} @ ${googleWhen(c)} (${p.email})`)}`,
    `From: ${mailbox(p.name, p.email)}`,
    `To: ${invitation.replyTo}`,
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    '',
    `--${alternative}`,
    'Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(text),
    `--${alternative}`,
    'Content-Type: text/html; charset="UTF-8"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(html),
    `--${alternative}`,
    'Content-Type: text/calendar; charset="UTF-8"; method=REPLY',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(calendar),
    `--${alternative}--`,
    `--${mixed}`,
    'Content-Type: application/ics; name="invite.ics"',
    'Content-Disposition: attachment; filename="invite.ics"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(calendar),
    `--${mixed}--`,
    '',
  ].join('\r\n')
  return { raw, from: p.email, calendar }
}

// ---------------------------------------------------------------- Outlook / Exchange

/** Exchange's VTIMEZONE for a few Windows zones (1601-based, as in the corpus's Exchange files). */
const WINDOWS_ZONES = {
  'Pacific Standard Time': {
    iana: 'America/Los_Angeles',
    block: ['STANDARD', '16010101T020000', '-0700', '-0800', 'BYDAY=1SU;BYMONTH=11', 'DAYLIGHT', '16010101T020000', '-0800', '-0700', 'BYDAY=2SU;BYMONTH=3'],
  },
  'Eastern Standard Time': {
    iana: 'America/New_York',
    block: ['STANDARD', '16010101T020000', '-0400', '-0500', 'BYDAY=1SU;BYMONTH=11', 'DAYLIGHT', '16010101T020000', '-0500', '-0400', 'BYDAY=2SU;BYMONTH=3'],
  },
  'W. Europe Standard Time': {
    iana: 'Europe/Berlin',
    block: ['STANDARD', '16010101T030000', '+0200', '+0100', 'BYDAY=-1SU;BYMONTH=10', 'DAYLIGHT', '16010101T020000', '+0100', '+0200', 'BYDAY=-1SU;BYMONTH=3'],
  },
  'GMT Standard Time': {
    iana: 'Europe/London',
    block: ['STANDARD', '16010101T020000', '+0100', '+0000', 'BYDAY=-1SU;BYMONTH=10', 'DAYLIGHT', '16010101T010000', '+0000', '+0100', 'BYDAY=-1SU;BYMONTH=3'],
  },
} as const
export type WindowsZoneName = keyof typeof WINDOWS_ZONES

function exchangeTimezone(name: WindowsZoneName): string[] {
  const b = WINDOWS_ZONES[name].block
  const rule = (offset: number) => [
    `BEGIN:${b[offset]}`,
    `DTSTART:${b[offset + 1]}`,
    `TZOFFSETFROM:${b[offset + 2]}`,
    `TZOFFSETTO:${b[offset + 3]}`,
    `RRULE:FREQ=YEARLY;INTERVAL=1;${b[offset + 4]}`,
    `END:${b[offset]}`,
  ]
  return ['BEGIN:VTIMEZONE', `TZID:${name}`, ...rule(0), ...rule(5), 'END:VTIMEZONE']
}

/** Wall-clock time of a UTC instant in an IANA zone, as `YYYYMMDDTHHMMSS`. */
function localTime(instant: Date, iana: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: iana, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  )
  return `${parts.year}${parts.month}${parts.day}T${parts.hour}${parts.minute}${parts.second}`
}

const WINDOWS_OF_IANA = new Map(Object.entries(WINDOWS_ZONES).map(([windows, zone]) => [zone.iana as string, windows as WindowsZoneName]))

/**
 * Date-time properties as Exchange writes them for the responder: a UTC time moves to the
 * mailbox zone, and a zone Windows knows is named the Windows way (`Pacific Standard Time`,
 * TZID unquoted) with Exchange's VTIMEZONE; dates and other zones stay as sent.
 */
function exchangeTimes(zone: WindowsZoneName) {
  const used = new Set<WindowsZoneName>()
  const convert = (p: Property): Property => {
    if (/^\d{8}T\d{6}Z$/.test(p.value)) {
      used.add(zone)
      return { name: p.name, params: `TZID=${zone}`, value: localTime(dateOf(p.value), WINDOWS_ZONES[zone].iana) }
    }
    const windows = WINDOWS_OF_IANA.get(paramOf(p, 'TZID') ?? '')
    if (!windows) return p
    used.add(windows)
    return { name: p.name, params: `TZID=${windows}`, value: p.value }
  }
  return { convert, used }
}

/** Outlook / Exchange: see the module comment for where this shape comes from. */
export function outlookReply(invitation: ReceivedInvitation, options: ReplyOptions): BuiltReply {
  const p = partsOf(invitation, options)
  const zone = options.timeZone ?? 'Pacific Standard Time'
  const verb = VERB[p.answer].subject
  const busy = { ACCEPTED: 'BUSY', DECLINED: 'FREE', TENTATIVE: 'TENTATIVE' }[p.answer]
  const { convert, used } = exchangeTimes(zone)
  const events: string[] = []
  for (const c of invitation.components) {
    events.push(
      'BEGIN:VEVENT',
      propertyLine(c.organizer),
      `ATTENDEE;PARTSTAT=${p.answer};CN=${paramValue(p.name ?? p.email)}:mailto:${p.email}`,
      ...(p.comment ? [`COMMENT;LANGUAGE=en-US:${escapeText(p.comment)}\\n`] : []),
      `SUMMARY;LANGUAGE=en-US:${escapeText(`${verb}: ${c.summary}`)}`,
      propertyLine(convert(c.dtstart)),
      ...(c.dtend ? [propertyLine(convert(c.dtend))] : []),
      `UID:${c.uid}`,
      ...(c.recurrenceId ? [propertyLine(convert(c.recurrenceId))] : []),
      'CLASS:PUBLIC',
      'PRIORITY:5',
      `DTSTAMP:${p.stamp}`,
      `TRANSP:${p.answer === 'DECLINED' ? 'TRANSPARENT' : 'OPAQUE'}`,
      'STATUS:CONFIRMED',
      `SEQUENCE:${c.sequence}`,
      `LOCATION;LANGUAGE=en-US:${escapeText(c.location ?? '')}`,
      `X-MICROSOFT-CDO-APPT-SEQUENCE:${c.sequence}`,
      `X-MICROSOFT-CDO-OWNERAPPTID:${-(randomBytes(4).readUInt32BE(0) >>> 1)}`,
      `X-MICROSOFT-CDO-BUSYSTATUS:${busy}`,
      'X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY',
      `X-MICROSOFT-CDO-ALLDAYEVENT:${c.dtstart.value.length === 8 ? 'TRUE' : 'FALSE'}`,
      'X-MICROSOFT-CDO-IMPORTANCE:1',
      `X-MICROSOFT-CDO-INSTTYPE:${c.recurrenceId ? 3 : 0}`,
      'X-MICROSOFT-DONOTFORWARDMEETING:FALSE',
      'X-MICROSOFT-DISALLOW-COUNTER:FALSE',
      'X-MICROSOFT-ISRESPONSE:TRUE',
      'END:VEVENT',
    )
  }
  // The invitation's own VTIMEZONEs stay only for zones Exchange did not rename.
  const kept = invitation.timezones.filter((block) => !WINDOWS_OF_IANA.has(parseLine(block.find((l) => /^TZID[:;]/i.test(l)) ?? '').value))
  const lines = [
    'BEGIN:VCALENDAR',
    'METHOD:REPLY',
    'PRODID:Microsoft Exchange Server 2010',
    'VERSION:2.0',
    ...[...used].flatMap(exchangeTimezone),
    ...kept.flat(),
    ...events,
    'END:VCALENDAR',
  ]
  const calendar = calendarText(lines)
  const c = p.component
  const subject = `${verb}: ${c.summary}`
  const boundary = `_000_${randomBytes(16).toString('hex').toUpperCase()}namprd00prodoutlookcom_`
  const text = p.comment ? `${p.comment}\r\n` : ''
  const html = `<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n${p.comment ? `<div>${htmlText(p.comment)}</div>\r\n` : ''}</body>\r\n</html>\r\n`
  const raw = [
    `From: ${mailbox(p.name, p.email)}`,
    `To: ${mailbox(paramOf(c.organizer, 'CN'), invitation.replyTo)}`,
    `Subject: ${encodeWord(subject)}`,
    `Thread-Topic: ${encodeWord(c.summary)}`,
    `Thread-Index: ${randomBytes(22).toString('base64')}`,
    `Date: ${rfc2822Date(p.now)}`,
    `Message-ID: <${randomBytes(16).toString('hex').toUpperCase()}@NAMPR00MB0000.namprd00.prod.outlook.com>`,
    ...threadHeaders(invitation),
    'Accept-Language: en-US',
    'Content-Language: en-US',
    'X-MS-Has-Attach:',
    'X-MS-TNEF-Correlator:',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    'MIME-Version: 1.0',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(text),
    '',
    `--${boundary}`,
    'Content-Type: text/html; charset="utf-8"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(html),
    '',
    `--${boundary}`,
    'Content-Type: text/calendar; charset="utf-8"; method=REPLY',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(calendar),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n')
  return { raw, from: p.email, calendar }
}

export const replyBuilders: Record<CalendarClient, (invitation: ReceivedInvitation, options: ReplyOptions) => BuiltReply> = {
  apple: appleReply,
  lightning: lightningReply,
  gmail: gmailReply,
  outlook: outlookReply,
}

/** The REPLY `client` sends when the recipient of `raw` (an invitation as received) answers. */
export async function replyTo(raw: Buffer | string, client: CalendarClient, options: ReplyOptions): Promise<BuiltReply> {
  return replyBuilders[client](await readInvitation(raw), options)
}
