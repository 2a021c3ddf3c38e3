/**
 * The invitation the server sends for a stored event: one recipient per message (ITIP 22),
 * METHOD:REQUEST with RSVP=TRUE so Gmail, Outlook and Apple show Yes / No / Maybe, and the
 * server's rsvp@ mailbox as ORGANIZER (with the real organizer's name) so replies come back.
 * Times are written in UTC, which every client places correctly without a VTIMEZONE.
 */
import ical, { ICalCalendarMethod, ICalAttendeeRole, ICalAttendeeStatus, ICalEventStatus } from 'ical-generator'
import type { EventState } from '../itip/event-state'
import type { Person } from '../scheduling'

export interface InvitationOptions {
  /** Where replies go: the server's rsvp@ mailbox. */
  replyTo: string
  recipient: Person
  /** Raised on every update sent; at least the organizer's own SEQUENCE. */
  sequence?: number
  now?: Date
}

const STATUS = { CONFIRMED: ICalEventStatus.CONFIRMED, TENTATIVE: ICalEventStatus.TENTATIVE, CANCELLED: ICalEventStatus.CANCELLED }

/** The iCalendar text (CRLF, folded at 75 octets by ical-generator). */
export function buildInvitation(event: EventState, options: InvitationOptions): string {
  const calendar = ical({ prodId: { company: 'Calendar Invite Server', product: 'invites', language: 'EN' }, method: ICalCalendarMethod.REQUEST })
  const start = event.allDay ? new Date(`${event.start}T00:00:00Z`) : new Date(event.start)
  const end = event.end ? new Date(event.allDay ? `${event.end}T00:00:00Z` : event.end) : undefined
  calendar.createEvent({
    id: event.uid,
    sequence: options.sequence ?? event.sequence,
    stamp: options.now ?? new Date(),
    start,
    end,
    allDay: event.allDay,
    summary: event.summary,
    description: event.description ?? undefined,
    location: event.location ?? undefined,
    url: event.url ?? undefined,
    status: STATUS[event.status],
    repeating: event.rrule ? `RRULE:${event.rrule}` : undefined,
    organizer: { name: event.organizer.name ?? event.organizer.email, email: options.replyTo },
    attendees: [
      {
        email: options.recipient.email,
        name: options.recipient.name ?? undefined,
        rsvp: true,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
      },
    ],
  })
  return calendar.toString()
}
