// The link in the sign-in mail: redeems the token once, opens a session sealed in the cookie, shows the dashboard.
import { z } from 'zod'
import { defineOperation } from '../../../shared/schemas/api'
import { redeemSignIn, sessionSettings, startSession } from '../../services/sign-in'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'The link in the sign-in mail (`?token=…`): signs in once and opens the dashboard.',
  tag: 'auth',
  public: true,
  responses: { 303: { description: 'To /dashboard, signed in; to /sign-in?error=link when the link is not valid.' } },
})

// Read here rather than by the operation: a malformed token redirects with a sentence, never a JSON 400.
const QuerySchema = z.object({ token: z.string().max(200).default('') })

export default defineApiRoute(operation, async (event) => {
  const query = QuerySchema.safeParse(getQuery(event))
  const result = await redeemSignIn(query.success ? query.data.token : '')
  if (!result.email) return sendRedirect(event, '/sign-in?error=link', 303)
  const { sessionId } = await startSession(result.email)
  await replaceUserSession(event, { user: { email: result.email }, secure: { sessionId }, loggedInAt: Date.now() }, sessionSettings())
  return sendRedirect(event, '/dashboard', 303)
})
