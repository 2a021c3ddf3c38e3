// A new API token for the caller; the token is in this answer only. Only a signed-in person may make one.
import { CreatedApiTokenSchema, TokenCreateSchema } from '../../../shared/schemas/tokens'
import { defineOperation } from '../../../shared/schemas/api'
import { createApiToken } from '../../services/api-tokens'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'A new API token for the signed-in caller; the token appears in this answer only.',
  tag: 'tokens',
  body: TokenCreateSchema,
  responses: {
    201: { description: 'The token, shown once.', schema: CreatedApiTokenSchema },
    403: { description: 'Only a signed-in person (not a token) may create tokens.' },
  },
})

export default defineApiRoute(operation, async (event, { body: { label } }) => {
  const caller = await requireCaller(event)
  // A leaked token must not be able to mint more tokens that outlive its revocation.
  if (caller.via !== 'session') throw createError({ statusCode: 403, message: 'Create API tokens from the dashboard, signed in.' })
  setResponseStatus(event, 201)
  return await createApiToken(caller.email, label)
})
