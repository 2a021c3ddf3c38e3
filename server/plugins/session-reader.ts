// Sessions from the sealed cookie (nuxt-auth-utils) identify API callers; the cookie's password comes from CIS_SECRET.
import { endSession, sessionEmail, sessionSettings } from '../services/sign-in'
import { useSessionReader } from '../utils/caller'
import { readSessionCookie } from '../utils/session-cookie'

declare module '#auth-utils' {
  interface User {
    email: string
  }
  interface SecureSessionData {
    sessionId: string
  }
}

/** The table session the cookie names (server-only `secure` data of nuxt-auth-utils). */
const sessionIdOf = (session: { secure?: { sessionId?: unknown } } | null) =>
  typeof session?.secure?.sessionId === 'string' ? session.secure.sessionId : null

export default defineNitroPlugin(() => {
  // nuxt-auth-utils reads NUXT_SESSION_PASSWORD before its runtime config (its /api/_auth/session
  // routes and the app's useUserSession too): one secret for every reader of the cookie.
  process.env.NUXT_SESSION_PASSWORD = sessionSettings().password

  // Read only: a caller without a session gets no cookie.
  useSessionReader(async (event) => {
    const id = sessionIdOf(await readSessionCookie(event))
    return id ? await sessionEmail(id) : null
  })
  // A cookie whose session was ended (signed out elsewhere, expired) shows nobody signed in.
  sessionHooks.hook('fetch', async (session) => {
    const id = sessionIdOf(session)
    if (!id || !(await sessionEmail(id))) delete session.user
  })
  sessionHooks.hook('clear', async (session) => {
    const id = sessionIdOf(session)
    if (id) await endSession(id)
  })
})
