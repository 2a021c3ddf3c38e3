// What a web answer link shows (the event, for whom, the answer recorded now); changes nothing.
import { LinkTokenParamsSchema, WebAnswerLinkSchema } from '../../../shared/schemas/invite-requests'
import { defineOperation } from '../../../shared/schemas/api'
import { webAnswerLinkOf } from '../../services/web-answers'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'The event and attendee of a web answer link; changes nothing (link scanners open it).',
  tag: 'public',
  public: true,
  params: LinkTokenParamsSchema,
  responses: {
    200: { description: 'The event and the answer as recorded now.', schema: WebAnswerLinkSchema },
    404: { description: 'The link is not valid.' },
  },
})

export default defineApiRoute(operation, async (_event, { params: { token } }) => {
  const link = await webAnswerLinkOf(token)
  if (!link) throw createError({ statusCode: 404, message: 'This answer link is not valid.' })
  return link
})
