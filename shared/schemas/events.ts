/** Request and response shapes of the dashboard's read API (events, attendees, rejected mail), shared by routes, pages and the OpenAPI document. */
import { z } from 'zod'
import { ATTENDEE_SOURCES, EVENT_STATUSES, EVENT_VIEWS, PARTSTAT_VALUES } from '../vocabulary'
import { mailAddress } from '../mail-address'
import { cursorField, instant, eventTime } from './api'
import { INVITE_ORIGINS, INVITE_STATUSES } from './invites'
import { OccurrenceSchema } from './event-page'

import { EventParamsSchema } from './invites'

export { EventParamsSchema }

const limit = z.coerce.number().int('The limit must be a whole number.').min(1, 'The limit must be at least 1.').max(200, 'The limit is at most 200.')
const cursor = z.string().max(2000, 'The cursor is too long.')

export const EventListQuerySchema = z.object({
  view: z.enum(EVENT_VIEWS, 'The view is one of upcoming, past or cancelled.').default('upcoming'),
  q: z.string().max(200, 'The search text is too long (200 characters at most).').optional(),
  sort: z.enum(['start', '-start'], 'Sort by start or -start.').optional(),
  limit: limit.default(50),
  cursor: cursor.optional(),
  /** An organizer the caller oversees (owners); the caller's own events otherwise. */
  organizer: mailAddress('The organizer must be an email address.').optional(),
})
export type EventListQuery = z.infer<typeof EventListQuerySchema>

/** Orders of the attendee list: by name (natural order), by answer (yes first), by reply time (latest first). */
export const ATTENDEE_SORTS = ['name', 'answer', 'replied'] as const
export type AttendeeSort = (typeof ATTENDEE_SORTS)[number]

/** An empty form field (a GET form sends `status=` for "any answer") means no filter. */
const blankAsAbsent = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)

export const AttendeeListQuerySchema = z.object({
  limit: limit.default(100),
  cursor: cursor.optional(),
  /** Only attendees with this answer (PARTSTAT, any case). */
  status: z
    .preprocess(
      (value) => (typeof blankAsAbsent(value) === 'string' ? (value as string).toUpperCase() : blankAsAbsent(value)),
      z.enum(PARTSTAT_VALUES, 'The status is a PARTSTAT: ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION or DELEGATED.').optional(),
    )
    .optional(),
  /** Only attendees whose name or address contains this text (any case, accents ignored). */
  q: z.preprocess(blankAsAbsent, z.string().max(200, 'The search text is too long (200 characters at most).').optional()),
  sort: z.preprocess(blankAsAbsent, z.enum(ATTENDEE_SORTS, 'Sort by name, answer or replied.').default('name')),
})
export type AttendeeListQuery = z.infer<typeof AttendeeListQuerySchema>

export const RejectedMailQuerySchema = z.object({
  limit: limit.default(50),
  cursor: cursor.optional(),
})
export type RejectedMailQuery = z.infer<typeof RejectedMailQuerySchema>

// ------------------------------------------------------------------ responses

/** An event's attendees by answer; people who answered a forwarded invite count as `shared` only. */
export const CountsSchema = z
  .object({
    accepted: z.number().int(),
    declined: z.number().int(),
    tentative: z.number().int(),
    needsAction: z.number().int(),
    delegated: z.number().int(),
    shared: z.number().int(),
  })
  .meta({ id: 'Counts' })
export type Counts = z.infer<typeof CountsSchema>


export const EventListItemSchema = z
  .object({
    uid: z.string(),
    summary: z.string(),
    start: eventTime(),
    end: eventTime().nullable(),
    allDay: z.boolean(),
    /** The organizer's time zone (IANA), when the invitation named one. */
    timezone: z.string().nullable(),
    location: z.string().nullable(),
    status: z.enum(EVENT_STATUSES),
    recurring: z.boolean(),
    listed: z.boolean(),
    organizer: z.object({ email: z.string(), name: z.string().nullable() }),
    counts: CountsSchema,
    attendeeCount: z.number().int(),
  })
  .meta({ id: 'EventListItem' })
export type EventListItem = z.infer<typeof EventListItemSchema>

export const EventPageSchema = z.object({ events: z.array(EventListItemSchema), cursor: cursorField })

const byPartstat = () => z.object(Object.fromEntries(PARTSTAT_VALUES.map((value) => [value, z.number().int()])) as Record<(typeof PARTSTAT_VALUES)[number], z.ZodNumber>)

export const AnswersOnDaySchema = z.object({
  /** UTC day, `YYYY-MM-DD`. */
  day: z.string(),
  answers: byPartstat(),
})
export type AnswersOnDay = z.infer<typeof AnswersOnDaySchema>

/** How far this server's invitations got; each step counts part of the one before (invitationFunnel says exactly what). */
export const InvitationFunnelSchema = z
  .object({
    /** Every invitation this server holds for the event. */
    invited: z.number().int(),
    /** Invitations SES accepted at least one message of. */
    sent: z.number().int(),
    /** Sent, and no permanent bounce or spam complaint came back. */
    delivered: z.number().int(),
    /** Delivered, and the attendee replied at least once. */
    answered: z.number().int(),
  })
  .meta({ id: 'InvitationFunnel' })
export type InvitationFunnel = z.infer<typeof InvitationFunnelSchema>

/** What the dashboard shows about an event's answers, computed over every attendee. */
export const BreakdownsSchema = z
  .object({
    /** Invited or named attendees by their current answer (shared attendees are not among them). */
    answers: byPartstat(),
    /** Attendees who answered a forwarded invite, whatever they answered. */
    shared: z.number().int(),
    /** Attendees by the calendar client of their last reply; people who never replied are not counted. */
    clients: z.record(z.string(), z.number().int()),
    /** This server's invitations by origin. */
    origins: z.partialRecord(z.enum(INVITE_ORIGINS), z.number().int()),
    /** Every reply received from invited or named attendees, by the UTC day it arrived, oldest first. */
    answersOverTime: z.array(AnswersOnDaySchema),
    funnel: InvitationFunnelSchema,
  })
  .meta({ id: 'Breakdowns' })
export type Breakdowns = z.infer<typeof BreakdownsSchema>

export const EventDetailsSchema = EventListItemSchema.extend({
  description: z.string().nullable(),
  url: z.string().nullable(),
  rrule: z.string().nullable(),
  /** How the series repeats, in words (`every week on Tuesday`); null for a single event. */
  repeats: z.string().nullable(),
  /** The next occurrences not cancelled (a single event: itself until it has ended), soonest first, at most five. */
  upcoming: z.array(OccurrenceSchema),
  /** The organizer's SEQUENCE. */
  sequence: z.number().int(),
  /** The SEQUENCE of what this server last sent (ahead of the organizer's after minor updates). */
  inviteSequence: z.number().int(),
  prodid: z.string().nullable(),
  breakdowns: BreakdownsSchema,
  /** The random id in the event's public addresses. */
  publicId: z.string(),
  /** The absolute address of the event's public page (reachable whether listed or not). */
  publicUrl: z.string(),
}).meta({ id: 'EventDetails' })

/** What an organizer may change about an event here (the rest comes from their calendar). */
export const EventPatchSchema = z.strictObject(
  { listed: z.boolean('Say `listed` as true or false.') },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'Only `listed` can be changed here; the rest comes from your calendar.' : undefined) },
)
export type EventPatch = z.infer<typeof EventPatchSchema>
export type EventDetails = z.infer<typeof EventDetailsSchema>

export const AttendeeListItemSchema = z
  .object({
    email: z.string(),
    name: z.string().nullable(),
    partstat: z.enum(PARTSTAT_VALUES),
    /** `organizer`: on the organizer's guest list; `invite`: invited by this server; `shared`: answered a forwarded invite. */
    source: z.enum(ATTENDEE_SOURCES),
    repliedAt: instant().nullable(),
    /** The calendar client of the last reply. */
    client: z.string().nullable(),
    /** This server's invitation to them, when it sent one. */
    invitation: z
      .object({
        status: z.enum(INVITE_STATUSES),
        origin: z.enum(INVITE_ORIGINS),
        invitedAt: instant(),
        sentAt: instant().nullable(),
        error: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'Attendee' })
export type AttendeeListItem = z.infer<typeof AttendeeListItemSchema>

/** Figures over every attendee of the event, whatever the filter. */
export const AttendeeSummarySchema = z
  .object({
    /** People the organizer or this server invited (not those who answered a forwarded invite). */
    invited: z.number().int(),
    /** Of those, how many answered (anything but NEEDS-ACTION). */
    answered: z.number().int(),
    /** People who answered a forwarded invite. */
    shared: z.number().int(),
    accepted: z.number().int(),
    tentative: z.number().int(),
    /** Who is coming: accepted + tentative, forwarded invites included. */
    headcount: z.number().int(),
  })
  .meta({ id: 'AttendeeSummary' })
export type AttendeeSummary = z.infer<typeof AttendeeSummarySchema>

export const AttendeePageSchema = z.object({
  attendees: z.array(AttendeeListItemSchema),
  cursor: cursorField,
  /** Attendees the filter and search keep, over the whole event. */
  matching: z.number().int(),
  summary: AttendeeSummarySchema,
})

/** One attendee of an event, named by the address on the list (any stored address, so not the stricter rule for new invitations). */
export const AttendeeParamsSchema = EventParamsSchema.extend({
  email: z.string().trim().min(3, 'The attendee address is missing.').max(320, 'The attendee address is too long.'),
})

/** What resending or removing did, in a sentence. */
export const AttendeeActionResultSchema = z
  .object({
    outcome: z.enum(['queued', 'already-queued', 'refused', 'removed']),
    message: z.string(),
  })
  .meta({ id: 'AttendeeActionResult' })
export type AttendeeActionResult = z.infer<typeof AttendeeActionResultSchema>

export const RejectedMessageSchema = z
  .object({
    /** The stored message's key. */
    key: z.string(),
    mailbox: z.string(),
    subject: z.string(),
    receivedAt: instant(),
    /** Why it was rejected, in a sentence. */
    reason: z.string(),
    eventUid: z.string().nullable(),
  })
  .meta({ id: 'RejectedMessage' })
export type RejectedMessage = z.infer<typeof RejectedMessageSchema>

export const RejectedMailPageSchema = z.object({ messages: z.array(RejectedMessageSchema), cursor: cursorField })
