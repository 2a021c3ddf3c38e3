// Who is signed in, and what they oversee; 401 otherwise.
import { CallerSchema } from '../../../shared/schemas/auth'
import { defineOperation } from '../../../shared/schemas/api'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'Who is signed in, and what they oversee.',
  tag: 'auth',
  responses: { 200: { description: 'The caller.', schema: CallerSchema } },
})

export default defineApiRoute(operation, async (event) => {
  const { email, systemOwner, ownedDomains } = await requireCaller(event)
  return { email, systemOwner, ownedDomains }
})
