import { describe, it, expect } from 'vitest'
import { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { createEvent } from 'h3'
import { clientAddress, withLambdaEvent } from '../../../../server/utils/client-address'
import { countedAddress } from '../../../../server/services/sign-in'

/** A request as h3 sees it: from `socket`, with an X-Forwarded-For, and the Lambda event's sourceIp when on Lambda. */
function request({ socket, forwardedFor, sourceIp }: { socket: string; forwardedFor?: string; sourceIp?: string }) {
  const req = new IncomingMessage({ remoteAddress: socket } as Socket)
  if (forwardedFor) req.headers['x-forwarded-for'] = forwardedFor
  const event = createEvent(req, new ServerResponse(req))
  if (sourceIp) event.context.awsLambda = { event: { requestContext: { http: { sourceIp } } }, context: {} }
  return event
}

describe('clientAddress', { tags: ['security'] }, () => {
  it.each([
    // [where, the request, trusted proxies, the address counted]
    ['locally: the socket, whatever the client wrote', { socket: '127.0.0.1', forwardedFor: '1.2.3.4' }, 0, '127.0.0.1'],
    ['on Lambda: API Gateway’s sourceIp, not the X-Forwarded-For it appended to', { socket: '', forwardedFor: '1.2.3.4, 198.51.100.7', sourceIp: '198.51.100.7' }, 0, '198.51.100.7'],
    ['behind CloudFront: the hop CloudFront added, API Gateway having appended the edge', { socket: '', forwardedFor: '1.2.3.4, 203.0.113.9, 130.176.1.1', sourceIp: '130.176.1.1' }, 1, '203.0.113.9'],
    ['behind CloudFront, had API Gateway not appended the edge', { socket: '', forwardedFor: '1.2.3.4, 203.0.113.9', sourceIp: '130.176.1.1' }, 1, '203.0.113.9'],
    ['behind a local proxy that appends the client', { socket: '127.0.0.1', forwardedFor: '1.2.3.4, 192.0.2.5' }, 1, '192.0.2.5'],
    ['two proxies', { socket: '10.0.0.2', forwardedFor: '1.2.3.4, 192.0.2.5, 10.0.0.1' }, 2, '192.0.2.5'],
    ['a request that came round the proxies, with no header', { socket: '', sourceIp: '198.51.100.7' }, 1, '198.51.100.7'],
  ])('%s', (_where, from, trustedProxies, expected) => {
    expect(clientAddress(request(from), trustedProxies)).toBe(expected)
  })
})

describe('withLambdaEvent', () => {
  it("hands the API Gateway event to the request through Nitro's platform context", async () => {
    const seen: unknown[] = []
    const localCall = withLambdaEvent(async (request) => {
      seen.push(request)
      return { body: null, headers: {}, status: 200, statusText: 'OK' }
    })
    const lambdaEvent = { requestContext: { http: { sourceIp: '198.51.100.7' } } }
    const lambdaContext = { awsRequestId: 'abc' }
    await localCall({ url: '/api/health', event: lambdaEvent, context: lambdaContext })
    expect(seen[0]).toMatchObject({ url: '/api/health', context: { _platform: { awsLambda: { event: lambdaEvent, context: lambdaContext } } } })
    // Calls that are not a Lambda invocation (Nitro's own internal fetches) pass as they are.
    const internal = { url: '/api/health', context: { waitUntil: () => {} } }
    await localCall(internal)
    expect(seen[1]).toBe(internal)
  })
})

describe('countedAddress', { tags: ['security'] }, () => {
  it.each([
    ['Victim@Example.org', 'victim@example.org'],
    ['victim+1@example.org', 'victim@example.org'],
    ['VICTIM+news+more@EXAMPLE.org', 'victim@example.org'],
    ['+only@example.org', '+only@example.org'],
    ['plain@example.org', 'plain@example.org'],
  ])('%s → %s', (email, counted) => {
    expect(countedAddress(email)).toBe(counted)
  })
})
