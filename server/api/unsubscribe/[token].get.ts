// What an unsubscribe link is for (the page shows it before the person confirms); changes nothing.
import { UnsubscribeLinkSchema, UnsubscribeParamsSchema } from '../../../shared/schemas/auth'
import { defineOperation } from '../../../shared/schemas/api'
import { readUnsubscribeToken } from '../../services/invitations'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'What an unsubscribe link is for; changes nothing.',
  tag: 'public',
  public: true,
  params: UnsubscribeParamsSchema,
  responses: {
    200: { description: 'The address the link unsubscribes.', schema: UnsubscribeLinkSchema },
    404: { description: 'The link is not valid.' },
  },
})

export default defineApiRoute(operation, (_event, { params: { token } }) => {
  const link = readUnsubscribeToken(token)
  if (!link) throw createError({ statusCode: 404, message: 'This unsubscribe link is not valid.' })
  return { email: link.email }
})
