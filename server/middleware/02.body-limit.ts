/**
 * Request bodies are capped at 1 MB (every route takes small JSON), and a larger one answers
 * 413 before it is read: by its Content-Length, or, for a body streamed without one, as soon
 * as more than 1 MB has arrived. On Lambda the body comes already in memory (API Gateway
 * accepts up to 10 MB) and is measured before any route parses it.
 */
import type { IncomingMessage } from 'node:http'
import { createError, getRequestHeader, type H3Event } from 'h3'

export const MAX_BODY_BYTES = 1024 * 1024

const TOO_LARGE = 'The request body is larger than 1 MB, the most this server accepts.'
const tooLarge = () => createError({ statusCode: 413, message: TOO_LARGE })

// Where h3's readRawBody keeps (and looks for) a body it has read.
const READ_BODY = Symbol.for('h3RawBody')
type ReadRequest = IncomingMessage & { [READ_BODY]?: Promise<Buffer>; body?: unknown }

/** Reads a streamed body up to the cap; rejects with 413 (and stops reading) past it. */
function readCapped(req: ReadRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData)
        // Whatever else arrives is discarded as it comes (Node drains an unread request).
        req.resume()
        chunks.length = 0
        return reject(tooLarge())
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks)))
    req.once('error', reject)
  })
}

export default defineEventHandler(async (event: H3Event) => {
  const req = event.node.req as ReadRequest
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method ?? '')) return
  const declared = Number(getRequestHeader(event, 'content-length'))
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  // In memory already (the Lambda runtime's request): measure it.
  if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) {
    if (Buffer.byteLength(req.body) > MAX_BODY_BYTES) throw tooLarge()
    return
  }
  // Streamed without a length: read it here, bounded, where h3 finds a body already read.
  if (/\bchunked\b/i.test(getRequestHeader(event, 'transfer-encoding') ?? '') && !req[READ_BODY]) {
    req[READ_BODY] = readCapped(req)
    await req[READ_BODY]
  }
})
