/** Reports for organizers: the attendee report of an event as CSV, downloaded or emailed. */
import { randomUUID } from 'node:crypto'
import MailComposer from 'nodemailer/lib/mail-composer'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity } from '../aws/table'
import { attendeeReportCsv, attendeeReportFileName, type AttendeeReportRow } from '../domain/reports/attendee-report'
import { lastClientOf } from '../domain/reports/breakdowns'
import { loadAttendees } from './event-store'
import { loadInvitationsOf } from './event-queries'
import { enqueueSendJobs } from './send-jobs'
import { renderMailTemplate } from '../templates/mail'
import { useMailTemplates } from '../templates/in-use'

const events = EventEntity.build(EntityRepository)

/** Every attendee of the event as CSV with a download name, or null when there is no such event. */
export async function attendeeReport(uid: string): Promise<{ fileName: string; csv: string } | null> {
  const { Item } = await events.get({ uid }, { consistent: true })
  if (!Item) return null
  const [attendees, invitations] = await Promise.all([loadAttendees(uid), loadInvitationsOf(uid)])
  const rows: AttendeeReportRow[] = attendees
    .sort((a, b) => a.email.localeCompare(b.email))
    .map((attendee) => {
      const invitation = invitations.get(attendee.email)
      return {
        email: attendee.email,
        name: attendee.name,
        answer: attendee.partstat,
        source: attendee.source,
        origin: invitation?.origin ?? null,
        invitationStatus: invitation?.status ?? null,
        invitedAt: invitation?.invitedAt ?? null,
        repliedAt: attendee.repliedAt,
        client: lastClientOf(attendee),
      }
    })
  return { fileName: attendeeReportFileName(Item.summary), csv: attendeeReportCsv(rows) }
}

/** Queues the report by email to `to` (the person asking); the send worker builds it when it runs. */
export async function emailAttendeeReport(eventUid: string, to: string): Promise<void> {
  await enqueueSendJobs([{ type: 'report', eventUid, to, requestId: randomUUID() }])
}

/** The report email: its template's text and the CSV attached, or null when the event is gone. */
export async function composeReportMail(eventUid: string, to: string, from: string): Promise<Buffer | null> {
  const report = await attendeeReport(eventUid)
  if (!report) return null
  const { Item } = await events.get({ uid: eventUid })
  const summary = (Item?.summary ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() || 'your event'
  const { subject, text } = renderMailTemplate('attendeeReport', { summary, fileName: report.fileName }, await useMailTemplates())
  const mail = new MailComposer({
    from,
    to,
    subject,
    text,
    attachments: [{ filename: report.fileName, content: report.csv, contentType: 'text/csv; charset=utf-8' }],
    headers: { 'Auto-Submitted': 'auto-generated' },
  })
  return await new Promise<Buffer>((resolve, reject) => mail.compile().build((error, message) => (error ? reject(error) : resolve(message))))
}
