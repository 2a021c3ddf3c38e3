/**
 * Sends an invitation for a stored event to one person, as the MIME shape calendar clients
 * expect (ITIP 19): multipart/mixed ( multipart/alternative ( text/plain, text/html,
 * text/calendar; method=REQUEST ), invite.ics ), the calendar base64-encoded.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import { buildInvitation } from '../domain/invite/build-invitation'
import type { EventState } from '../domain/itip/event-state'
import type { Person } from '../domain/scheduling'
import { sendRawMail } from '../aws/mailer'
import { config } from '../config'

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export async function composeInvitation(event: EventState, recipient: Person, now = new Date()): Promise<Buffer> {
  const cfg = config()
  const calendar = buildInvitation(event, { replyTo: cfg.mailboxes.rsvp, recipient, now })
  const when = event.allDay ? event.start : new Date(event.start).toUTCString()
  const text = `${event.organizer.name ?? event.organizer.email} invites you to "${event.summary}" (${when}).\n${event.location ? `Where: ${event.location}\n` : ''}`
  const mail = new MailComposer({
    from: { name: event.organizer.name ?? event.organizer.email, address: cfg.mailboxes.rsvp },
    to: recipient.name ? { name: recipient.name, address: recipient.email } : recipient.email,
    subject: `Invitation: ${event.summary}`,
    headers: { 'Content-Class': 'urn:content-classes:calendarmessage' },
    text,
    html: `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`,
    alternatives: [
      { contentType: 'text/calendar; charset=UTF-8; method=REQUEST', content: calendar, contentTransferEncoding: 'base64' },
    ],
    attachments: [{ filename: 'invite.ics', contentType: 'application/ics; name="invite.ics"', content: calendar, contentTransferEncoding: 'base64' }],
  })
  return await new Promise<Buffer>((resolve, reject) => mail.compile().build((error, message) => (error ? reject(error) : resolve(message))))
}

export async function sendInvitation(event: EventState, recipient: Person): Promise<string> {
  const raw = await composeInvitation(event, recipient)
  return sendRawMail({ from: config().mailboxes.rsvp, to: [recipient.email], raw: new Uint8Array(raw) })
}
