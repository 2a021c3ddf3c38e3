// One-click unsubscribe (RFC 8058): mail clients POST "List-Unsubscribe=One-Click" here; the page at the same address asks a person first.
import { UnsubscribeParamsSchema, UnsubscribedSchema } from '../../../shared/schemas/auth'
import { defineOperation } from '../../../shared/schemas/api'
import { unsubscribeByToken } from '../../services/invitations'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'One-click unsubscribe: the address of the link gets no more mail from this server.',
  tag: 'public',
  public: true,
  params: UnsubscribeParamsSchema,
  responses: {
    200: { description: 'Unsubscribed.', schema: UnsubscribedSchema },
    404: { description: 'The link is not valid.' },
  },
})

export default defineApiRoute(operation, async (_event, { params: { token } }) => {
  const done = await unsubscribeByToken(token)
  if (!done) throw createError({ statusCode: 404, message: 'This unsubscribe link is not valid.' })
  return { unsubscribed: true as const, message: `${done.email} will get no more mail from this server.` }
})
