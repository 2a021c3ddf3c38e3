/**
 * A web answer (the Yes / Maybe / No links in an invitation) as the REPLY a calendar would
 * have sent: the same iTIP rules (decideReply) then record it, with its history entry,
 * counts and breakdowns, so there is one way an answer is applied. Its PRODID names the
 * web, which the breakdowns show as the client "Web".
 */
import type { PartstatValue, SchedulingMessage } from '../scheduling'
import type { EventState } from './event-state'

export const WEB_ANSWER_PRODID = '-//Calendar Invite Server//Web answer//EN'

export interface WebAnswerInput {
  event: EventState
  /** The SEQUENCE of the invitations this server sends for the event: the version answered. */
  inviteSequence: number
  attendee: { email: string; name: string | null }
  partstat: PartstatValue
  /** The server's rsvp@ mailbox, ORGANIZER of the invitations it sends. */
  organizerMailbox: string
  /** When the answer was given (ISO 8601): its DTSTAMP, so a later answer wins over an earlier one. */
  at: string
}

/** The REPLY a web answer stands for: for the whole event, at the version the server sends now. */
export function webAnswerMessage(input: WebAnswerInput): SchedulingMessage {
  const { event } = input
  return {
    method: 'REPLY',
    prodid: WEB_ANSWER_PRODID,
    master: {
      uid: event.uid,
      // A link works for every later version: the answer is to the event as it is now.
      sequence: Math.max(input.inviteSequence, event.sequence),
      dtstamp: input.at,
      status: null,
      summary: null,
      description: null,
      location: null,
      url: null,
      organizer: { email: input.organizerMailbox.toLowerCase(), name: null },
      attendees: [{ email: input.attendee.email.toLowerCase(), name: input.attendee.name, partstat: input.partstat, role: null, rsvp: false }],
      start: null,
      end: null,
      allDay: event.allDay,
      timezone: null,
      tzid: null,
      startLocal: null,
      vtimezone: null,
      rrule: null,
      exdates: [],
      rdates: [],
      recurrenceId: null,
      thisAndFuture: false,
      transp: null,
    },
    overrides: [],
    warnings: [],
  }
}
