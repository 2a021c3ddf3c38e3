/** Downloads for organizers: the attendee report of an event as CSV. */
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity } from '../aws/table'
import { attendeeReportCsv, attendeeReportFileName, type AttendeeReportRow } from '../domain/reports/attendee-report'
import { lastClientOf } from '../domain/reports/breakdowns'
import { loadAttendees } from './event-store'
import { loadInvitationsOf } from './event-queries'

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
