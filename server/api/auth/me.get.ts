// Who is signed in, what they oversee, and what a first-time organizer needs; 401 otherwise.
import { CallerSchema } from '../../../shared/schemas/auth'
import { defineOperation } from '../../../shared/schemas/api'
import { firstRunFacts } from '../../services/first-run'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'Who is signed in, what they oversee, and the address to invite to bring an event here.',
  tag: 'auth',
  responses: { 200: { description: 'The caller.', schema: CallerSchema } },
})

export default defineApiRoute(operation, async (event) => {
  const { email, systemOwner, ownedDomains } = await requireCaller(event)
  return { email, systemOwner, ownedDomains, ...(await firstRunFacts(email)) }
})
