/**
 * A stand-in for AWS's endpoints that answers with recorded responses, for testing
 * `npm run deploy` with the real AWS SDK over HTTP: CloudFormation and STS (the query
 * protocol: a form POST naming its Action), SES v2 (REST, JSON), S3 (REST, path-style) and
 * DynamoDB (JSON, X-Amz-Target). Each call is recorded (operation, parameters, uploaded
 * bytes); each answer comes from the script, by operation, in order (the last one repeats).
 * Answers are files of tests/fixtures/aws-responses/ in AWS's own wire format.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'

export interface ReplayCall {
  service: 'cloudformation' | 'sts' | 'sesv2' | 's3' | 'dynamodb'
  operation: string
  /** Query-protocol form fields, S3 query parameters, or a JSON body's top-level fields. */
  params: Record<string, string>
  headers: IncomingMessage['headers']
  bucket?: string
  key?: string
  /** The request's body as sent (aws-chunked uploads decoded). */
  body: Buffer
}

export interface ReplayAnswer {
  status?: number
  /** A file of tests/fixtures/aws-responses/, or literal text. */
  fixture?: string
  body?: string
  headers?: Record<string, string>
}

export type ReplayScript = Record<string, ReplayAnswer | ReplayAnswer[] | ((call: ReplayCall) => ReplayAnswer)>

const fixtures = new URL('../fixtures/aws-responses/', import.meta.url)

/** An S3 body sent with `Content-Encoding: aws-chunked` (the SDK's streaming checksums): its data alone. */
function decodeAwsChunked(raw: Buffer) {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at)
    const size = parseInt(raw.subarray(at, lineEnd).toString().split(';')[0]!, 16)
    if (!size) return Buffer.concat(parts)
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}

function identify(request: IncomingMessage, body: Buffer): Omit<ReplayCall, 'headers' | 'body'> {
  const url = new URL(request.url ?? '/', 'http://replay.invalid')
  const type = request.headers['content-type'] ?? ''
  const target = request.headers['x-amz-target']
  if (typeof target === 'string') {
    return { service: 'dynamodb', operation: target.split('.').pop()!, params: JSON.parse(body.toString() || '{}') }
  }
  if (request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
    const params = Object.fromEntries(new URLSearchParams(body.toString()))
    return { service: params.Action === 'GetCallerIdentity' ? 'sts' : 'cloudformation', operation: params.Action!, params }
  }
  if (url.pathname.startsWith('/v2/email/')) {
    return { service: 'sesv2', operation: request.method === 'GET' && url.pathname === '/v2/email/account' ? 'GetAccount' : `${request.method} ${url.pathname}`, params: {} }
  }
  const [, bucket = '', ...rest] = url.pathname.split('/')
  const key = rest.length ? decodeURIComponent(rest.join('/')) : undefined
  const query = Object.fromEntries(url.searchParams)
  const has = (name: string) => url.searchParams.has(name)
  const operation = query['x-id'] ?? (
    request.method === 'HEAD' ? (key ? 'HeadObject' : 'HeadBucket')
    : request.method === 'PUT' ? (key ? 'PutObject' : has('publicAccessBlock') ? 'PutPublicAccessBlock' : 'CreateBucket')
    : request.method === 'GET' ? (has('versions') ? 'ListObjectVersions' : has('list-type') ? 'ListObjectsV2' : key ? 'GetObject' : 'ListObjects')
    : request.method === 'POST' && has('delete') ? 'DeleteObjects'
    : request.method === 'DELETE' ? (key ? 'DeleteObject' : 'DeleteBucket')
    : `${request.method} ${url.pathname}`)
  return { service: 's3', operation, params: query, bucket, key }
}

export async function startAwsReplay(script: ReplayScript) {
  const calls: ReplayCall[] = []
  const used = new Map<string, number>()
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    let body = Buffer.concat(chunks)
    const call = { ...identify(request, body), headers: request.headers, body }
    if (String(request.headers['content-encoding'] ?? '').includes('aws-chunked')) call.body = body = decodeAwsChunked(body)
    calls.push(call)
    const entry = script[call.operation]
    let answer: ReplayAnswer | undefined
    if (typeof entry === 'function') answer = entry(call)
    else if (Array.isArray(entry)) {
      const index = used.get(call.operation) ?? 0
      used.set(call.operation, index + 1)
      answer = entry[Math.min(index, entry.length - 1)]
    } else answer = entry
    if (!answer) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`the replay has no answer for ${call.service} ${call.operation}`)
      return
    }
    const text = answer.fixture ? readFileSync(new URL(answer.fixture, fixtures), 'utf8') : (answer.body ?? '')
    const contentType = answer.fixture?.endsWith('.json') ? (call.service === 'dynamodb' ? 'application/x-amz-json-1.0' : 'application/json') : text ? 'text/xml' : 'text/plain'
    response.writeHead(answer.status ?? 200, { 'content-type': contentType, 'x-amzn-requestid': 'replay', ...answer.headers })
    response.end(request.method === 'HEAD' ? undefined : text)
  })
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** The operations called, in order, as `service:Operation`. */
    operations: () => calls.map((call) => `${call.service}:${call.operation}`),
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  }
}
