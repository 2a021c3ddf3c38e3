// The link in the sign-in mail: redeems the token once, opens a session sealed in the cookie, shows the dashboard.
import { z } from 'zod'
import { redeemSignIn, sessionSettings, startSession } from '../../services/sign-in'

const QuerySchema = z.object({ token: z.string().max(200).default('') })

export default defineEventHandler(async (event) => {
  const parsed = QuerySchema.safeParse(getQuery(event))
  const result = await redeemSignIn(parsed.success ? parsed.data.token : '')
  if (!result.email) return sendRedirect(event, '/sign-in?error=link', 303)
  const { sessionId } = await startSession(result.email)
  await replaceUserSession(event, { user: { email: result.email }, secure: { sessionId }, loggedInAt: Date.now() }, sessionSettings())
  return sendRedirect(event, '/dashboard', 303)
})
