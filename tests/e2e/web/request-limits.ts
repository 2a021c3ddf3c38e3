/**
 * Request bodies over 1 MB answer 413 before the server reads them. A 20 MB JSON body is sent
 * to the sign-in route a chunk at a time, as a slow client would: the answer must arrive while
 * the client is still sending, and the server process (its resident memory, read from /proc)
 * must not grow by the body.
 */
import { describe, it, expect } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { fetch, url, useTestContext } from '@nuxt/test-utils/e2e'

const MB = 1024 * 1024
const BODY_BYTES = 20 * MB
const CHUNK_BYTES = 256 * 1024
const TOO_LARGE = 'The request body is larger than 1 MB, the most this server accepts.'

/** Resident memory of a process in bytes (Linux), or null where /proc is not there. */
function residentBytes(pid: number | undefined): number | null {
  const status = pid && existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : ''
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
  return kb ? Number(kb) * 1024 : null
}

interface Answer {
  status: number
  body: string
  /** Bytes of the body written when the answer's headers arrived. */
  sentWhenAnswered: number
  /** Largest growth of the server's resident memory seen while the request ran (null without /proc). */
  serverGrowth: number | null
}

/** POSTs a `BODY_BYTES` JSON body a chunk at a time (every few milliseconds) until the server answers. */
function sendLargeBody(path: string, declareLength: boolean): Promise<Answer> {
  const pid = useTestContext().serverProcess?.pid
  const before = residentBytes(pid)
  let peak = before
  const sampler = setInterval(() => {
    const now = residentBytes(pid)
    if (now !== null && peak !== null) peak = Math.max(peak, now)
  }, 5)
  // {"email":"aaa…"}: valid JSON of exactly BODY_BYTES, with an address far too long to accept.
  const head = Buffer.from('{"email":"')
  const tail = Buffer.from('"}')
  const filler = Buffer.alloc(CHUNK_BYTES, 'a')

  return new Promise((resolve, reject) => {
    let sent = 0
    let answered = false
    const req = request(url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(BODY_BYTES) } : { 'transfer-encoding': 'chunked' }) },
    })
    req.on('response', (res) => {
      answered = true
      const sentWhenAnswered = sent
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        clearInterval(sampler)
        req.destroy()
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          sentWhenAnswered,
          serverGrowth: before === null || peak === null ? null : peak - before,
        })
      })
    })
    req.on('error', (error) => {
      // The server may close the connection once it has answered; only an error before the answer counts.
      if (!answered) {
        clearInterval(sampler)
        reject(error)
      }
    })
    void (async () => {
      const write = (chunk: Buffer) => new Promise<void>((done) => (req.write(chunk) ? done() : req.once('drain', done)))
      await write(head)
      sent += head.length
      while (!answered && sent < BODY_BYTES - tail.length) {
        const chunk = filler.subarray(0, Math.min(CHUNK_BYTES, BODY_BYTES - tail.length - sent))
        await write(chunk)
        sent += chunk.length
        await new Promise((pause) => setTimeout(pause, 2))
      }
      if (!answered) {
        await write(tail)
        sent += tail.length
        req.end()
      }
    })().catch(() => {})
  })
}

describe('request bodies over 1 MB answer 413 before they are read', { tags: ['security'] }, () => {
  it.each([
    ['with Content-Length', true],
    ['streamed without Content-Length (chunked)', false],
  ])('a 20 MB JSON body to /api/auth/sign-in, %s: 413 with a sentence while the client still sends, and the server does not grow by it', async (_, declareLength) => {
    const answer = await sendLargeBody('/api/auth/sign-in', declareLength)
    expect(answer.status, answer.body).toBe(413)
    expect(JSON.parse(answer.body)).toMatchObject({ statusCode: 413, message: TOO_LARGE })
    // Refused by its declared length at once, or after the first megabyte of a stream.
    expect(answer.sentWhenAnswered).toBeLessThan(BODY_BYTES / 2)
    if (answer.serverGrowth !== null) expect(answer.serverGrowth).toBeLessThan(BODY_BYTES / 2)
  })

  it('reads a body under 1 MB as before (here: an address too long, 400)', async () => {
    const response = await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a'.repeat(MB - 100) }) })
    expect(response.status).toBe(400)
  })
})
