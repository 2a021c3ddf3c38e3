// An organizer's listed upcoming events as a calendar feed (subscribed to by its webcal:// address).
import { FEED_CONTENT_TYPE, FeedBodySchema, OrganizerFeedParamsSchema } from '../../../../shared/schemas/feeds'
import { defineOperation } from '../../../../shared/schemas/api'
import { organizerFeed } from '../../../services/feeds'
import { defineApiRoute } from '../../../utils/api-route'
import { answerConditionally } from '../../../utils/http-cache'

export const operation = defineOperation({
  summary: "An organizer's listed upcoming events as an iCalendar feed (cancelled ones as cancelled until they are past).",
  tag: 'public',
  public: true,
  params: OrganizerFeedParamsSchema,
  responses: {
    200: { description: 'The feed, with ETag and Last-Modified.', schema: FeedBodySchema, contentType: 'text/calendar' },
    304: { description: 'Not changed since the copy the caller has (If-None-Match, If-Modified-Since).' },
    404: { description: 'No organizer has this address.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { organizerPublicId } }) => {
  const feed = await organizerFeed(organizerPublicId)
  if (!feed) throw createError({ statusCode: 404, message: 'There is no organizer at this address.' })
  if (answerConditionally(event, feed)) return ''
  setResponseHeader(event, 'content-type', FEED_CONTENT_TYPE)
  return feed.body
})
