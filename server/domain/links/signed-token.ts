/**
 * Tokens that carry a few plain values and an HMAC over them, for links sent by mail
 * (one-click unsubscribe): anyone holding the link may use it, nobody can forge one for
 * another address. The values are readable (base64url), not secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

const SEPARATOR = '\n'

function signature(secret: string, purpose: string, payload: string): Buffer {
  // The purpose is signed too, so a token made for one use is worthless for another.
  return createHmac('sha256', secret).update(`${purpose}${SEPARATOR}${payload}`).digest().subarray(0, 18)
}

export function signToken(secret: string, purpose: string, values: string[]): string {
  if (values.some((value) => value.includes(SEPARATOR))) throw new Error('Token values cannot contain a line break.')
  const payload = values.join(SEPARATOR)
  return `${Buffer.from(payload).toString('base64url')}.${signature(secret, purpose, payload).toString('base64url')}`
}

/** The values, or null when the token is malformed or was not signed with this secret for this purpose. */
export function readToken(secret: string, purpose: string, token: string): string[] | null {
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token)
  if (!match) return null
  const payload = Buffer.from(match[1]!, 'base64url').toString()
  const given = Buffer.from(match[2]!, 'base64url')
  const expected = signature(secret, purpose, payload)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  return payload.split(SEPARATOR)
}
