// The link in the sign-in mail: redeems the token once, opens a session sealed in the cookie, shows the page asked for.
import { z } from 'zod'
import { DEFAULT_AFTER_SIGN_IN, afterSignIn } from '../../../shared/schemas/auth'
import { defineOperation } from '../../../shared/schemas/api'
import { redeemSignIn, sessionSettings, startSession } from '../../services/sign-in'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'The link in the sign-in mail (`?token=…&next=…`): signs in once and opens the page asked for.',
  tag: 'auth',
  public: true,
  responses: {
    303: { description: 'To `next` (a path on this site; else /dashboard), signed in; to /sign-in?error=link when the link is not valid.' },
  },
})

// Read here rather than by the operation: a malformed token redirects with a sentence, never a JSON 400.
const QuerySchema = z.object({ token: z.string().max(200).catch(''), next: z.unknown().optional() })

export default defineApiRoute(operation, async (event) => {
  const query = QuerySchema.parse(getQuery(event))
  const next = afterSignIn(query.next)
  const result = await redeemSignIn(query.token)
  if (!result.email) {
    // A new link asked for from there leads to the same page.
    const again = new URLSearchParams({ error: 'link', ...(next === DEFAULT_AFTER_SIGN_IN ? {} : { next }) })
    return sendRedirect(event, `/sign-in?${again}`, 303)
  }
  const { sessionId } = await startSession(result.email)
  await replaceUserSession(event, { user: { email: result.email }, secure: { sessionId }, loggedInAt: Date.now() }, sessionSettings())
  return sendRedirect(event, next, 303)
})
