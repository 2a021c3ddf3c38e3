/**
 * Short emails to people about their own messages: the organizer hears that an invite
 * created or updated an event; a verified sender hears why a message changed nothing.
 * Built with nodemailer's MailComposer (RFC 2047 headers, no header injection), sent raw
 * through SES.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import { renderMailTemplate, type MailTemplateName } from '../templates/mail'
import { sendRawMailWithinRate } from '../aws/mailer'
import { config } from '../config'

async function compose(to: string, subject: string, text: string, inReplyTo?: string | null): Promise<Buffer> {
  const mail = new MailComposer({
    from: config().fromAddress,
    to,
    subject,
    text,
    ...(inReplyTo ? { inReplyTo, references: inReplyTo } : {}),
    // Never answer an auto-reply with another: mark ours as automatic (RFC 3834).
    headers: { 'Auto-Submitted': 'auto-replied' },
  })
  return await new Promise<Buffer>((resolve, reject) => mail.compile().build((error, message) => (error ? reject(error) : resolve(message))))
}

export async function sendNotification(
  template: MailTemplateName,
  to: string,
  values: Record<string, string>,
  inReplyTo?: string | null,
): Promise<void> {
  const { subject, text } = renderMailTemplate(template, values)
  const raw = await compose(to, subject, text, inReplyTo)
  await sendRawMailWithinRate({ from: config().fromAddress, to: [to], raw: new Uint8Array(raw) })
}

export const eventUrl = (uid: string) => `${config().siteUrl}/dashboard/events/${encodeURIComponent(uid)}`
