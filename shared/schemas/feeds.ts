/** Shapes of the public calendar feeds: an organizer's and a domain's listed upcoming events. */
import { z } from 'zod'

export const OrganizerFeedParamsSchema = z.object({
  organizerPublicId: z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'That is not an organizer address.'),
})

export const DomainFeedParamsSchema = z.object({
  // A host name: labels of letters, digits and hyphens, joined by dots.
  domain: z
    .string()
    .max(253)
    .regex(/^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/, 'That is not a domain.'),
})

/** The media type of a feed. */
export const FEED_CONTENT_TYPE = 'text/calendar; charset=utf-8'

export const FeedBodySchema = z.string().meta({
  description: 'An iCalendar text (METHOD:PUBLISH): each event with its own UID and SEQUENCE, the full series, a VTIMEZONE for every zone used.',
})
