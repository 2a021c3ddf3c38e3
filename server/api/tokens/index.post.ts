// A new API token for the caller; the token is in this answer only. Only a signed-in person may make one.
import { TokenCreateSchema } from '../../../shared/schemas/tokens'
import { createApiToken } from '../../services/api-tokens'
import { requireCaller } from '../../utils/caller'
import { validBody } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const { label } = await validBody(event, TokenCreateSchema)
  const caller = await requireCaller(event)
  // A leaked token must not be able to mint more tokens that outlive its revocation.
  if (caller.via !== 'session') throw createError({ statusCode: 403, message: 'Create API tokens from the dashboard, signed in.' })
  setResponseStatus(event, 201)
  return await createApiToken(caller.email, label)
})
