// Ends the dashboard session (clears the sealed cookie).
import { SignedOutSchema } from '../../../shared/schemas/auth'
import { defineOperation } from '../../../shared/schemas/api'
import { sessionSettings } from '../../services/sign-in'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'Ends the dashboard session.',
  tag: 'auth',
  responses: { 200: { description: 'Signed out.', schema: SignedOutSchema } },
})

export default defineApiRoute(operation, async (event) => {
  await clearUserSession(event, sessionSettings())
  return { signedOut: true as const }
})
