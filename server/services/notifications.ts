/**
 * Short emails to people about their own messages: the organizer hears that an invite
 * created or updated an event; a verified sender hears why a message changed nothing.
 * Built with nodemailer's MailComposer (RFC 2047 headers, no header injection), sent raw
 * through SES.
 */
import MailComposer from 'nodemailer/lib/mail-composer'
import { renderMailTemplate, type PlaceholderOf } from '../templates/mail'
import { useMailTemplates } from '../templates/in-use'
import { enqueueSendJobs, type NotificationTemplate, type SendJob } from './send-jobs'
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

/**
 * Queues a notification: the send worker sends it within the SES rate, once per `key` (the
 * inbound message it is about), so a burst of mail in never waits for sending slots.
 */
export async function queueNotification<T extends NotificationTemplate>(
  key: string,
  template: T,
  to: string,
  values: Record<PlaceholderOf<T>, string>,
  inReplyTo?: string | null,
): Promise<void> {
  await enqueueSendJobs([notificationJob(key, template, to, values, inReplyTo)])
}

/** The send job of a notification, for a caller that keeps it until it is queued. */
export function notificationJob<T extends NotificationTemplate>(
  key: string,
  template: T,
  to: string,
  values: Record<PlaceholderOf<T>, string>,
  inReplyTo?: string | null,
): Extract<SendJob, { type: 'notify' }> {
  return { type: 'notify', key, template, to, values, inReplyTo: inReplyTo ?? null }
}

/** The notification's raw message, for the send worker. */
export async function composeNotification(template: NotificationTemplate, to: string, values: Record<string, string>, inReplyTo?: string | null): Promise<Buffer> {
  const { subject, text } = renderMailTemplate(template, values, await useMailTemplates())
  return compose(to, subject, text, inReplyTo)
}

export const eventUrl = (uid: string) => `${config().siteUrl}/dashboard/events/${encodeURIComponent(uid)}`
