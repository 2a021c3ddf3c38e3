/**
 * The messages on the send queue. Each is small and names what to bring up to date, not
 * what to send: the worker reads the event as it is when the job runs, so a job queued
 * before an update sends the update, and two jobs for the same change send once.
 */
import { z } from 'zod'
import { sendBatchToQueue } from '../aws/queue'
import type { MailTemplateName } from '../templates/mail'
import { INVITE_REQUEST_ORIGINS } from '../../shared/schemas/invite-requests'
import { LIST_PASSES } from '../../shared/schemas/lists'

/** The mails a `notify` job sends (server/templates/mail.ts). */
export const NOTIFICATION_TEMPLATES = ['eventCreated', 'eventUpdated', 'messageNotProcessed', 'bulkRefused', 'inviteRequestConfirmation'] as const satisfies readonly MailTemplateName[]
export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[number]

export const SendJobSchema = z.discriminatedUnion('type', [
  /** Send this person the event's current version (invite, update or cancel) unless they have it. */
  z.object({ type: z.literal('deliver'), eventUid: z.string().min(1), email: z.string().min(3) }),
  /** Queue `deliver` jobs for everyone this server has sent the event to, one page at a time. */
  z.object({ type: z.literal('fan-out'), eventUid: z.string().min(1), cursor: z.string().optional() }),
  /** An attendee's REFRESH: send the current version again, once per request. */
  z.object({ type: z.literal('refresh'), eventUid: z.string().min(1), email: z.string().min(3), requestKey: z.string().min(1) }),
  /** The organizer's "resend" of one invitation: the current version again, once per request, shown on the invitation. */
  z.object({ type: z.literal('resend'), eventUid: z.string().min(1), email: z.string().min(3), requestKey: z.string().min(1) }),
  /** A person the organizer removed from the event: a CANCEL naming them, at the SEQUENCE raised for the removal (once). */
  z.object({ type: z.literal('cancel-attendee'), eventUid: z.string().min(1), email: z.string().min(3), name: z.string().nullable(), sequence: z.number().int().min(0) }),
  /** The attendee report of an event, as a CSV attachment, to the person who asked for it (once per request). */
  z.object({ type: z.literal('report'), eventUid: z.string().min(1), to: z.string().min(3), requestId: z.string().min(1) }),
  /**
   * A visitor's "Send me the invite" (services/invite-requests.ts): decided here rather than
   * while they wait, so the answer takes as long whatever the address (confirmed, new,
   * suppressed), and the decision queues the invitation or the confirmation mail.
   */
  z.object({
    type: z.literal('invite-request'),
    requestId: z.string().min(1),
    publicId: z.string().min(1),
    email: z.string().min(3),
    origin: z.enum(INVITE_REQUEST_ORIGINS),
  }),
  /** Read an invitation list, or invite its rows (services/invitation-lists.ts); a long list continues in jobs of its own. */
  z.object({ type: z.literal('list'), listId: z.string().min(1), pass: z.enum(LIST_PASSES) }),
  /** How a mailed list went, to the person who mailed it (once per list). */
  z.object({ type: z.literal('list-report'), listId: z.string().min(1) }),
  /** A notification to a person about their own inbound message, once per message (`key`) and template. */
  z.object({
    type: z.literal('notify'),
    key: z.string().min(1),
    template: z.enum(NOTIFICATION_TEMPLATES),
    to: z.string().min(3),
    values: z.record(z.string(), z.string()),
    inReplyTo: z.string().nullable().optional(),
  }),
])
export type SendJob = z.infer<typeof SendJobSchema>

export async function enqueueSendJobs(jobs: SendJob[]): Promise<void> {
  await sendBatchToQueue('send', jobs)
}

/** The job in a queue message body, or null (with the reason logged by the caller) when it is not one. */
export function readSendJob(body: string): SendJob | null {
  try {
    const parsed = SendJobSchema.safeParse(JSON.parse(body))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
