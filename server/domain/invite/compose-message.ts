/**
 * The complete invitation email for one recipient, built by nodemailer's
 * MailComposer:
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
 * The subject and both bodies come from the `invitation` templates (server/templates/), filled
 * with what the event says: as they are in the text, HTML-escaped in the HTML. The calendar
 * and those values of one (event, method, SEQUENCE) are prepared once and kept for the next
 * recipients; the templates are filled and MailComposer builds every message.
 */
import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import MailComposer from 'nodemailer/lib/mail-composer'
import type Mail from 'nodemailer/lib/mailer'
import type { EventState } from '../itip/event-state'
import { isMailAddress } from '../mail/address'
import { prepareInvitationCalendar, type InvitationCalendar, type InvitationMethod } from './build-invitation'
import { htmlValues, renderSubject, renderTemplate } from '../mail/template'
import type { InvitationVersionPlaceholder, MailTemplates } from '../../templates/mail'
import { attendeeValues, invitationValues, oneLine, organizerName } from './message-text'
import type { WebAnswer } from '../../../shared/schemas/invite-requests'

export interface InvitationMessage {
  event: EventState
  recipient: { email: string; name: string | null }
  method: InvitationMethod
  sequence: number
  /** The recipient was sent an earlier version (so this one is worded as an update); default false. */
  update?: boolean
  /** The server's rsvp@ mailbox: ORGANIZER in the calendar and the From address. */
  organizerMailbox: string
  /** One-click unsubscribe URL (RFC 8058, https; http only on this machine); when given, List-Unsubscribe + List-Unsubscribe-Post headers and a footer link. */
  unsubscribeUrl?: string
  /** The recipient's web answer links (Yes, Maybe, No), shown in both bodies when given; never on a CANCEL. */
  answerUrls?: Record<WebAnswer, string>
  /** Link to the event's public page, shown in the body when given. */
  eventUrl?: string
  /** The mail templates in use (server/templates/in-use.ts); the invitation's fill the message. */
  templates: MailTemplates
  now?: Date
}

export const CALENDAR_FILENAME = 'invite.ics'

/** What is the same for every recipient of one version of an event. */
interface PreparedInvitation {
  calendar: InvitationCalendar
  /** The templates' values for this version, as they are and HTML-escaped. */
  values: Record<InvitationVersionPlaceholder, string>
  htmlValues: Record<InvitationVersionPlaceholder, string>
  fromName: string
  organizerMailbox: string
  method: InvitationMethod
}

/**
 * RFC 8058 one-click unsubscribing needs an https URL; plain http is accepted only for this
 * machine (the local stack). No spaces, quotes or angle brackets: it is written inside <…>.
 */
const UNSUBSCRIBE_URL = /^(?:https:\/\/|http:\/\/(?:localhost|127\.0\.0\.1|\[::1\]|[a-z0-9.-]+\.localhost)(?=[:/]|$))[\x21-\x7e]*$/i

function checkInput(input: InvitationMessage) {
  if (!isMailAddress(input.recipient.email)) throw new RangeError('The recipient address is not a mail address.')
  if (!isMailAddress(input.organizerMailbox)) throw new RangeError('The organizer mailbox is not a mail address.')
  if (input.unsubscribeUrl !== undefined && (!UNSUBSCRIBE_URL.test(input.unsubscribeUrl) || /[<>"]/.test(input.unsubscribeUrl))) {
    throw new RangeError('The unsubscribe URL must be an https URL (http only for localhost) without spaces, quotes or angle brackets.')
  }
  if (input.method !== 'REQUEST' && input.method !== 'CANCEL') throw new RangeError(`Invitations are sent as REQUEST or CANCEL, not ${String(input.method)}.`)
}

function prepare(input: InvitationMessage): PreparedInvitation {
  const values = invitationValues({ event: input.event, method: input.method, sequence: input.sequence, update: input.update ?? false, eventUrl: input.eventUrl })
  return {
    calendar: prepareInvitationCalendar(input.event, { method: input.method, sequence: input.sequence, organizerMailbox: input.organizerMailbox }),
    values,
    htmlValues: htmlValues(values),
    fromName: organizerName(input.event),
    organizerMailbox: input.organizerMailbox,
    method: input.method,
  }
}

// One event is usually sent to many people in a row: keep the last few prepared versions.
// The templates are not part of them (they are filled per message), so any may be used.
const prepared = new LRUCache<string, PreparedInvitation>({ max: 32 })

function preparedFor(input: InvitationMessage): PreparedInvitation {
  const key = JSON.stringify([input.event, input.method, input.sequence, input.update ?? false, input.organizerMailbox, input.eventUrl ?? null])
  let entry = prepared.get(key)
  if (!entry) prepared.set(key, (entry = prepare(input)))
  return entry
}

const recipientName = (input: InvitationMessage) => oneLine(input.recipient.name)
/** Mail bodies end their lines with CRLF (RFC 5322); quoted-printable keeps them as they are. */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n')
const messageIdFor = (mailbox: string) => `<${randomUUID()}@${mailbox.slice(mailbox.lastIndexOf('@') + 1).toLowerCase()}>`

/** The MailComposer options of one message. */
function mailOptions(p: PreparedInvitation, input: InvitationMessage, calendar: string, now: Date): Mail.Options {
  const name = recipientName(input)
  // Per recipient, after the cache: the links are signed for this attendee.
  const attendee = attendeeValues({
    email: input.recipient.email,
    name: input.recipient.name,
    unsubscribeUrl: input.unsubscribeUrl,
    answerUrls: input.method === 'CANCEL' ? undefined : input.answerUrls,
  })
  const values = { ...p.values, ...attendee }
  const template = input.templates.invitation
  const headers: Record<string, string> = { 'Content-Class': 'urn:content-classes:calendarmessage' }
  if (input.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>`
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click'
  }
  return {
    from: { name: p.fromName, address: p.organizerMailbox },
    to: name ? { name, address: input.recipient.email } : input.recipient.email,
    subject: renderSubject(template.subject, values),
    messageId: messageIdFor(p.organizerMailbox),
    date: now,
    headers,
    text: { content: crlf(renderTemplate(template.text, values)), contentTransferEncoding: 'quoted-printable' } as Mail.Options['text'],
    html: { content: crlf(renderTemplate(template.html, { ...p.htmlValues, ...htmlValues(attendee) })), contentTransferEncoding: 'quoted-printable' } as Mail.Options['html'],
    alternatives: [{ contentType: `text/calendar; charset=UTF-8; method=${p.method}`, content: calendar, contentTransferEncoding: 'base64' }],
    attachments: [{ filename: CALENDAR_FILENAME, contentType: 'application/ics', content: calendar, contentTransferEncoding: 'base64' }],
  }
}

/** The raw MIME invitation for one recipient, ready for SES SendEmail (Content.Raw). */
export async function composeInvitationMessage(input: InvitationMessage): Promise<Buffer> {
  checkInput(input)
  const p = preparedFor(input)
  const now = input.now ?? new Date()
  const calendar = p.calendar.render({ email: input.recipient.email, name: recipientName(input) || null }, now)
  return new MailComposer(mailOptions(p, input, calendar, now)).compile().build()
}
