// A domain's listed upcoming events (all its organizers') as a calendar feed.
import { DomainFeedParamsSchema, FEED_CONTENT_TYPE, FeedBodySchema } from '../../../../shared/schemas/feeds'
import { defineOperation } from '../../../../shared/schemas/api'
import { domainFeed } from '../../../services/feeds'
import { defineApiRoute } from '../../../utils/api-route'
import { answerConditionally } from '../../../utils/http-cache'

export const operation = defineOperation({
  summary: "A domain's listed upcoming events (every organizer of the domain) as an iCalendar feed (cancelled ones as cancelled until they are past).",
  tag: 'public',
  public: true,
  params: DomainFeedParamsSchema,
  responses: {
    200: { description: 'The feed, with ETag and Last-Modified.', schema: FeedBodySchema, contentType: 'text/calendar' },
    304: { description: 'Not changed since the copy the caller has (If-None-Match, If-Modified-Since).' },
    404: { description: 'The server has no organizer in this domain.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { domain } }) => {
  const feed = await domainFeed(domain)
  if (!feed) throw createError({ statusCode: 404, message: 'There are no organizers in this domain.' })
  if (answerConditionally(event, feed)) return ''
  setResponseHeader(event, 'content-type', FEED_CONTENT_TYPE)
  return feed.body
})
