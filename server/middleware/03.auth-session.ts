/**
 * nuxt-auth-utils' own /api/_auth/session (read by the app's useUserSession on every page):
 * a request without a valid session is answered here, so it gets `{}` and no cookie (the
 * module would start a session for it), and DELETE clears the cookie with this app's settings
 * (`Secure` only on an https site), not the module's.
 */
import { sessionSettings } from '../services/sign-in'
import { readSessionCookie, sealedSessionOf } from '../utils/session-cookie'

export default defineEventHandler(async (event) => {
  if (event.path.split('?')[0] !== '/api/_auth/session') return
  if (event.method === 'GET' && !(await readSessionCookie(event))) return {}
  if (event.method === 'DELETE') {
    if (sealedSessionOf(event)) await clearUserSession(event, sessionSettings())
    return { loggedOut: true }
  }
})
