/**
 * Who is calling the API, and what they may see. Three roles, widest first:
 * - system owner (CIS_OWNER_EMAILS, or named by another system owner): everything;
 * - domain owner: every organizer and event of the email domains they own;
 * - organizer: the events they organize.
 * Anything out of reach answers 404, exactly as something that does not exist, so UIDs
 * and addresses cannot be probed. A caller is identified by a sign-in session (the
 * dashboard) or an API token (automations); both carry the same rights.
 */
import type { H3Event } from 'h3'
import { createError, getHeader } from 'h3'
import { organizerOfToken } from '../services/api-tokens'
import { loadEvent, type StoredEvent } from '../services/event-store'
import { rolesOf } from '../services/owners'
import { loadListItem } from '../services/invitation-lists'
import { domainOf } from '../domain/mail/address'

export interface Caller {
  email: string
  via: 'session' | 'api-token'
  systemOwner: boolean
  /** Email domains whose organizers and events this caller oversees. */
  ownedDomains: string[]
}

/**
 * The signed-in user's address from the session cookie, or null. Installed by the sign-in
 * module (server/plugins or utils of the auth work); until then there are no sessions.
 */
export type SessionReader = (event: H3Event) => Promise<string | null>
let readSession: SessionReader = async () => null
export function useSessionReader(reader: SessionReader) {
  readSession = reader
}

export async function callerOrNull(event: H3Event): Promise<Caller | null> {
  const header = getHeader(event, 'authorization') ?? ''
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1]
  let email: string | null = null
  let via: Caller['via'] = 'session'
  if (token) {
    email = await organizerOfToken(token)
    via = 'api-token'
    if (!email) throw createError({ statusCode: 401, message: 'The API token is not valid (revoked or mistyped).' })
  } else {
    email = await readSession(event)
  }
  if (!email) return null
  const roles = await rolesOf(email)
  return { email: email.toLowerCase(), via, systemOwner: roles.systemOwner, ownedDomains: roles.domains }
}

export async function requireCaller(event: H3Event): Promise<Caller> {
  const caller = await callerOrNull(event)
  if (!caller) throw createError({ statusCode: 401, message: 'Sign in, or send an API token as "Authorization: Bearer …".' })
  return caller
}

/** May this caller see (and act for) this organizer's events? */
export function oversees(caller: Caller, organizerEmail: string): boolean {
  const organizer = organizerEmail.toLowerCase()
  return caller.systemOwner || caller.email === organizer || caller.ownedDomains.includes(domainOf(organizer))
}

export function requireSystemOwner(caller: Caller): void {
  if (!caller.systemOwner) throw createError({ statusCode: 403, message: 'Only system owners may do this.' })
}

/**
 * The event, when the caller may see it; otherwise 404. Owners may read any event they
 * oversee, but only its organizer sends invitations for it (`forSending`).
 */
export async function requireOwnEvent(
  event: H3Event,
  uid: string,
  options: { forSending?: boolean } = {},
): Promise<{ caller: Caller; stored: StoredEvent }> {
  const caller = await requireCaller(event)
  const stored = await loadEvent(uid)
  const organizer = stored?.state.organizer.email.toLowerCase()
  const allowed = organizer !== undefined && (options.forSending ? caller.email === organizer : oversees(caller, organizer))
  if (!allowed) {
    throw createError({ statusCode: 404, message: 'There is no such event among yours.' })
  }
  return { caller, stored: stored! }
}

/**
 * An invitation list, when the caller may see it (as its event's: owners may look, only its
 * organizer acts on it: `forSending`); otherwise 404.
 */
export async function requireOwnList(event: H3Event, id: string, options: { forSending?: boolean } = {}) {
  const caller = await requireCaller(event)
  const list = await loadListItem(id)
  const allowed = list !== null && (options.forSending ? caller.email === list.organizerEmail : oversees(caller, list.organizerEmail))
  if (!allowed) throw createError({ statusCode: 404, message: 'There is no such list among yours.' })
  return { caller, list: list! }
}
