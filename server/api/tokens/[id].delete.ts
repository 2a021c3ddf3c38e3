// Revoke one of the caller's API tokens; someone else's (or no) token answers 404.
import { RevokedApiTokenSchema, TokenParamsSchema } from '../../../shared/schemas/tokens'
import { defineOperation } from '../../../shared/schemas/api'
import { revokeApiToken } from '../../services/api-tokens'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'

export const operation = defineOperation({
  summary: "Revoke one of the caller's API tokens.",
  tag: 'tokens',
  params: TokenParamsSchema,
  responses: {
    200: { description: 'Revoked.', schema: RevokedApiTokenSchema },
    404: { description: "No such token among the caller's." },
  },
})

export default defineApiRoute(operation, async (event, { params: { id } }) => {
  const caller = await requireCaller(event)
  if (!(await revokeApiToken(caller.email, id))) throw createError({ statusCode: 404, message: 'There is no such token among yours.' })
  return { revoked: id }
})
