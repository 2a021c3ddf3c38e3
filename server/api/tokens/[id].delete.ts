// Revoke one of the caller's API tokens; someone else's (or no) token answers 404.
import { TokenParamsSchema } from '../../../shared/schemas/tokens'
import { revokeApiToken } from '../../services/api-tokens'
import { requireCaller } from '../../utils/caller'
import { validParams } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const { id } = validParams(event, TokenParamsSchema)
  const caller = await requireCaller(event)
  if (!(await revokeApiToken(caller.email, id))) throw createError({ statusCode: 404, message: 'There is no such token among yours.' })
  return { revoked: id }
})
