/**
 * The shape of a scheduling message once read: what the iTIP rules (itip/rules.ts) need, and
 * what `cis inspect` prints. Plain data, no library types, so every later step (iTIP
 * decisions, storage, the command line) depends only on this file.
 */

export const METHODS = ['REQUEST', 'CANCEL', 'REPLY', 'COUNTER', 'REFRESH', 'ADD', 'DECLINECOUNTER', 'PUBLISH'] as const
export type Method = (typeof METHODS)[number]

export { PARTSTAT_VALUES, type PartstatValue } from '../../shared/vocabulary'
import type { EventStatus, PartstatValue } from '../../shared/vocabulary'

export interface Person {
  /** Lower-cased, without `mailto:`. */
  email: string
  name: string | null
}

export interface Attendee extends Person {
  partstat: PartstatValue
  role: string | null
  rsvp: boolean
}

/** One VEVENT: the master of a series, a single event, or an override of one instance. */
export interface EventComponent {
  uid: string
  sequence: number
  /** ISO 8601 UTC; null when the component has none. */
  dtstamp: string | null
  status: EventStatus | null
  summary: string | null
  description: string | null
  location: string | null
  url: string | null
  organizer: Person | null
  attendees: Attendee[]
  /** ISO 8601 in UTC ending in `Z`, or `YYYY-MM-DD` for all-day events; null when missing. */
  start: string | null
  end: string | null
  allDay: boolean
  /** IANA time zone of DTSTART, or null (UTC, floating, all-day, or a zone only the message defines). */
  timezone: string | null
  /** DTSTART's TZID as written (`Eastern`, `W. Europe Standard Time`), or null for UTC, floating and all-day. */
  tzid: string | null
  /**
   * DTSTART's wall-clock time as written (`2026-03-08T02:30:00`), with `tzid`: what later
   * occurrences of a series repeat, even where the first falls in a DST gap. Null for UTC
   * and all-day starts.
   */
  startLocal: string | null
  /** The message's VTIMEZONE for `tzid`, as written: the rules its times were placed by. */
  vtimezone: string | null
  rrule: string | null
  exdates: string[]
  /** Same formats as `start`; a PERIOD is `start/end`. */
  rdates: string[]
  /** Same format as `start`; null on the master. */
  recurrenceId: string | null
  /** RANGE=THISANDFUTURE on the RECURRENCE-ID. */
  thisAndFuture: boolean
  /** TRANSP: TRANSPARENT events do not make attendees busy; null when not given (OPAQUE). */
  transp: 'OPAQUE' | 'TRANSPARENT' | null
}

export interface SchedulingMessage {
  method: Method
  prodid: string | null
  /** The master (or single event) first, when there is one. */
  master: EventComponent | null
  /** RECURRENCE-ID components, in time order. */
  overrides: EventComponent[]
  /** Things a person should know (unknown TZID, duplicated parts…); never fatal. */
  warnings: string[]
}

/** Why a message is not something the scheduling rules can act on. */
export class NotSchedulingMessage extends Error {
  constructor(
    message: string,
    readonly code: 'no-calendar' | 'bounce' | 'auto-reply' | 'no-method' | 'publish' | 'unparsable' | 'no-uid' | 'several-uids' | 'unsupported',
  ) {
    super(message)
    this.name = 'NotSchedulingMessage'
  }
}
