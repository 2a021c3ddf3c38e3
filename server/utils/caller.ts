/**
 * Who is calling the API, and which events they may touch. An organizer acts only on
 * events they organize; anything else answers 404, exactly as an event that does not
 * exist, so UIDs cannot be probed. (Sign-in sessions for the dashboard join the API token
 * here.)
 */
import type { H3Event } from 'h3'
import { createError, getHeader } from 'h3'
import { organizerOfToken } from '../services/api-tokens'
import { loadEvent, type StoredEvent } from '../services/event-store'

export interface Caller {
  email: string
  via: 'api-token'
}

export async function requireCaller(event: H3Event): Promise<Caller> {
  const header = getHeader(event, 'authorization') ?? ''
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1]
  const email = token ? await organizerOfToken(token) : null
  if (!email) {
    throw createError({ statusCode: 401, message: token ? 'The API token is not valid (revoked or mistyped).' : 'Sign in, or send an API token as "Authorization: Bearer …".' })
  }
  return { email, via: 'api-token' }
}

/** The event, when the caller organizes it; otherwise 404. */
export async function requireOwnEvent(event: H3Event, uid: string): Promise<{ caller: Caller; stored: StoredEvent }> {
  const caller = await requireCaller(event)
  const stored = await loadEvent(uid)
  if (!stored || stored.state.organizer.email.toLowerCase() !== caller.email.toLowerCase()) {
    throw createError({ statusCode: 404, message: 'There is no such event among yours.' })
  }
  return { caller, stored }
}
