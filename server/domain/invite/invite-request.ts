/**
 * The rules of "Send me the invite" that need no storage: the confirmation link's token
 * (signed, with its expiry inside, so a link stops working without anything stored) and
 * when an event is over, so no invitation is sent for it any more.
 */
import { readToken, signToken } from '../links/signed-token'
import type { EventState } from '../itip/event-state'

import { INVITE_REQUEST_ORIGINS, type InviteRequestOrigin as Origin } from '../../../shared/schemas/invite-requests'

const CONFIRM = 'invite-request'

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000)

export interface InviteRequestLinkValues {
  email: string
  /** The event's public id (never its UID, which is the organizer's calendar's). */
  publicId: string
  origin: Origin
}

export function signInviteRequest(secret: string, link: InviteRequestLinkValues, expiresAt: Date): string {
  return signToken(secret, CONFIRM, [link.email.trim().toLowerCase(), link.publicId, link.origin, String(epochSeconds(expiresAt))])
}

export type ReadInviteRequest = ({ valid: true } & InviteRequestLinkValues) | { valid: false; reason: 'invalid' | 'expired' }

export function readInviteRequest(secret: string, token: string, now: Date): ReadInviteRequest {
  const values = readToken(secret, CONFIRM, token)
  if (!values || values.length !== 4) return { valid: false, reason: 'invalid' }
  const [email, publicId, origin, expires] = values as [string, string, string, string]
  if (!email || !publicId || !(INVITE_REQUEST_ORIGINS as readonly string[]).includes(origin) || !/^\d+$/.test(expires)) return { valid: false, reason: 'invalid' }
  if (Number(expires) <= epochSeconds(now)) return { valid: false, reason: 'expired' }
  return { valid: true, email, publicId, origin: origin as Origin }
}

/**
 * Over: its end (or start) has passed. A series is over only once its UNTIL has passed; one
 * ending by COUNT is taken as going on (refusing a series that still runs would be worse
 * than inviting to one whose last occurrence just went by).
 */
export function isOver(event: Pick<EventState, 'start' | 'end' | 'allDay' | 'rrule'>, now: Date): boolean {
  if (event.rrule) {
    const until = /UNTIL=(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?/i.exec(event.rrule)
    if (!until) return false
    const [, y, m, d, hh = '23', mm = '59', ss = '59'] = until
    return Date.parse(`${y}-${m}-${d}T${hh}:${mm}:${ss}Z`) < now.getTime()
  }
  const last = event.end ?? event.start
  // An all-day end is exclusive (the day after); a single all-day date lasts that whole day.
  const ends = /^\d{4}-\d{2}-\d{2}$/.test(last) ? Date.parse(`${last}T00:00:00Z`) + (event.end ? 0 : 86_400_000) : Date.parse(last)
  return ends < now.getTime()
}
