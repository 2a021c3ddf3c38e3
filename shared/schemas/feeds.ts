/** Shapes of the public calendar feeds: an organizer's and a domain's listed upcoming events. */
import { z } from 'zod'
import { publicIdText } from './public'

export const OrganizerFeedParamsSchema = z.object({ organizerPublicId: publicIdText('That is not an organizer address.') })

export { DomainParamsSchema as DomainFeedParamsSchema } from './owners'

/** The media type of a feed. */
export const FEED_CONTENT_TYPE = 'text/calendar; charset=utf-8'

export const FeedBodySchema = z.string().meta({
  description: 'An iCalendar text (METHOD:PUBLISH): each event with its own UID and SEQUENCE, the full series, a VTIMEZONE for every zone used.',
})
