/**
 * Reads the sealed sign-in session (nuxt-auth-utils' cookie) without ever writing one.
 * nuxt-auth-utils' getUserSession goes through h3's useSession, which starts a session, and
 * sets its cookie, for every request that carries none: every anonymous request got a cookie.
 */
import { getCookie, getRequestHeader, unsealSession, type H3Event } from 'h3'
import { sessionSettings } from '../services/sign-in'

export interface SessionCookieData {
  user?: { email?: unknown }
  secure?: { sessionId?: unknown }
  [key: string]: unknown
}

/** The sealed session the request carries, where h3 looks for it (its header, then the cookie), or null. */
export function sealedSessionOf(event: H3Event): string | null {
  const { name } = sessionSettings()
  return getRequestHeader(event, `x-${name.toLowerCase()}-session`) ?? getCookie(event, name) ?? null
}

/** The data of a session the request carries that unseals and has not expired; null otherwise. */
export async function readSessionCookie(event: H3Event): Promise<SessionCookieData | null> {
  const sealed = sealedSessionOf(event)
  if (!sealed) return null
  try {
    const { data } = await unsealSession(event, sessionSettings(), sealed)
    return (data as SessionCookieData | undefined) ?? null
  } catch {
    // Tampered with, sealed with another secret, or older than the session's maximum age.
    return null
  }
}
