/**
 * The address a request came from, for limits a client must not reset. The platform's own
 * word first: API Gateway's `requestContext.http.sourceIp` on Lambda, the socket's peer
 * locally. Behind `CIS_TRUSTED_PROXIES` proxies (CloudFront: 1) that address is the nearest
 * proxy's, and each proxy appended the address it saw to X-Forwarded-For: the client is the
 * entry that many hops from the right. Every entry left of it is the client's to write.
 */
import { getRequestHeader, getRequestIP, type H3Event } from 'h3'
import type { NitroApp } from 'nitropack/types'
import { config } from '../config'

/** The API Gateway (HTTP API, payload 2.0) event of a request on Lambda, and the invocation's context. */
export interface LambdaRequest {
  event: { requestContext?: { http?: { sourceIp?: string } } }
  context: unknown
}

declare module 'h3' {
  interface H3EventContext {
    awsLambda?: LambdaRequest
  }
}

export function clientAddress(event: H3Event, trustedProxies = config().trustedProxies): string {
  const seen = event.context.awsLambda?.event.requestContext?.http?.sourceIp || getRequestIP(event) || ''
  if (trustedProxies === 0) return seen || 'unknown'
  const hops = (getRequestHeader(event, 'x-forwarded-for') ?? '').split(',').map((hop) => hop.trim()).filter(Boolean)
  // API Gateway appends the address it saw; a proxy in front of a local server does not.
  if (seen && hops.at(-1) !== seen) hops.push(seen)
  // Fewer hops than trusted proxies: the request bypassed some, so the farthest known hop is the client.
  return hops.at(-1 - trustedProxies) ?? hops[0] ?? 'unknown'
}

type LocalCall = NitroApp['localCall']

/**
 * Nitro's aws-lambda entry (nitropack 2) passes the API Gateway event to `localCall`, which
 * does not hand it on to the request. This localCall puts it in the `_platform` context
 * Nitro spreads into each request's `event.context` (as its other presets do with their
 * platform's request), so routes read it as `event.context.awsLambda`.
 */
export function withLambdaEvent(localCall: LocalCall): LocalCall {
  return (request) => {
    const event = request.event as LambdaRequest['event'] | undefined
    if (!event?.requestContext) return localCall(request)
    const awsLambda: LambdaRequest = { event, context: request.context }
    return localCall({ ...request, context: { _platform: { awsLambda } } })
  }
}
