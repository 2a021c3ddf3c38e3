/**
 * The rules of "Send me the invite" that need no storage: the confirmation link's token
 * (signed, with its expiry inside, so a link stops working without anything stored) and
 * when an event is over, so no invitation is sent for it any more.
 */
import { readToken, signToken } from '../links/signed-token'

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

/** When an event is over: shared with the dashboard, which offers no invitations for it. */
export { isOver } from '../../../shared/event-over'
