/** Request shapes of the dashboard's read API (events, attendees, rejected mail), shared by routes, pages and the OpenAPI document. */
import { z } from 'zod'
import { EVENT_VIEWS, PARTSTAT_VALUES } from '../vocabulary'
import { mailAddress } from '../mail-address'

export { EventParamsSchema } from './invites'

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

export const AttendeeListQuerySchema = z.object({
  limit: limit.default(100),
  cursor: cursor.optional(),
  /** Only attendees with this answer (PARTSTAT, any case). */
  status: z
    .preprocess((value) => (typeof value === 'string' ? value.toUpperCase() : value), z.enum(PARTSTAT_VALUES, 'The status is a PARTSTAT: ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION or DELEGATED.'))
    .optional(),
})
export type AttendeeListQuery = z.infer<typeof AttendeeListQuerySchema>

export const RejectedMailQuerySchema = z.object({
  limit: limit.default(50),
  cursor: cursor.optional(),
})
export type RejectedMailQuery = z.infer<typeof RejectedMailQuerySchema>
