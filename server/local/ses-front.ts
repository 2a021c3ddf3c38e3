/**
 * A thin front for aws-ses-v2-local that makes the local SES behave more like the real one
 * where this project depends on it:
 *
 * - **raw messages kept byte for byte.** The stand-in re-parses a raw message and rebuilds
 *   it for its viewer, losing headers such as List-Unsubscribe and Content-Class. The front
 *   keeps the exact bytes of every accepted `SendEmail` with `Content.Raw`, under the
 *   MessageId the stand-in gave it: `GET /raw/messages?since=<epoch ms>` lists them,
 *   `GET /raw/message?messageId=<id>` returns one as message/rfc822, `GET /raw/stats` counts
 *   kept and throttled sends.
 * - **the account's maximum send rate.** With `maxSendRate` set, a send above that many in
 *   the last second is refused as SES refuses it (HTTP 429 `TooManyRequestsException`,
 *   "Maximum sending rate exceeded."), so throttling handling is tested against a server.
 *
 * Everything else (the viewer at `/`, `/store`, `/get-emlContent`) passes through unchanged.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http'

export interface SesFrontOptions {
  host: string
  port: number
  /** Where aws-ses-v2-local listens. */
  upstreamPort: number
  /** Messages per second the "account" may send; unlimited when absent. */
  maxSendRate?: number
  /** Hears of each raw message as it is kept, before SES's answer goes back (fault tests keep a durable count). */
  onKept?: (message: KeptMessage) => void
}

export interface KeptMessage {
  messageId: string
  /** Epoch milliseconds when the request arrived (where SES counts its send rate). */
  at: number
  from: string
  to: string[]
  raw: Buffer
}

export interface SesFront {
  server: Server
  messages: KeptMessage[]
  /** Sends refused for exceeding the rate. */
  throttled: number
}

const SEND_PATH = '/v2/email/outbound-emails'
const KEPT_LIMIT = 50_000

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
  })
}

export async function startSesFront(options: SesFrontOptions): Promise<SesFront> {
  const front: SesFront = { server: undefined as unknown as Server, messages: [], throttled: 0 }
  const recentSends: number[] = []

  const overRate = (now: number) => {
    if (!options.maxSendRate) return false
    while (recentSends.length && recentSends[0]! <= now - 1000) recentSends.shift()
    if (recentSends.length >= options.maxSendRate) return true
    recentSends.push(now)
    return false
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local')
    try {
      if (req.method === 'GET' && url.pathname === '/raw/messages') {
        const since = Number(url.searchParams.get('since') ?? 0)
        const list = front.messages.filter((m) => m.at >= since).map(({ raw: _raw, ...rest }) => rest)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messages: list }))
        return
      }
      if (req.method === 'GET' && url.pathname === '/raw/stats') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kept: front.messages.length, throttled: front.throttled }))
        return
      }
      if (req.method === 'GET' && url.pathname === '/raw/message') {
        const kept = front.messages.find((m) => m.messageId === url.searchParams.get('messageId'))
        if (!kept) res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"No such message."}')
        else res.writeHead(200, { 'content-type': 'message/rfc822' }).end(kept.raw)
        return
      }
      const body = await readAll(req)
      const isSend = req.method === 'POST' && url.pathname === SEND_PATH
      const arrivedAt = Date.now()
      if (isSend && overRate(arrivedAt)) {
        front.throttled++
        res
          .writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' })
          .end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }))
        return
      }
      const upstream = request(
        { host: options.host, port: options.upstreamPort, method: req.method, path: req.url, headers: req.headers },
        async (answer) => {
          const answerBody = await readAll(answer)
          if (isSend && answer.statusCode === 200) keep(front, body, answerBody, arrivedAt, options.onKept)
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(answerBody)
        },
      )
      upstream.on('error', (error) => res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ message: error.message })))
      upstream.end(body)
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: (error as Error).message }))
    }
  })
  front.server = server
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  return front
}

function keep(front: SesFront, requestBody: Buffer, answerBody: Buffer, arrivedAt: number, onKept: SesFrontOptions['onKept']) {
  try {
    const sent = JSON.parse(requestBody.toString()) as {
      FromEmailAddress?: string
      Destination?: { ToAddresses?: string[] }
      Content?: { Raw?: { Data?: string } }
    }
    const data = sent.Content?.Raw?.Data
    if (!data) return
    const { MessageId } = JSON.parse(answerBody.toString()) as { MessageId: string }
    const kept: KeptMessage = {
      messageId: MessageId,
      at: arrivedAt,
      from: sent.FromEmailAddress ?? '',
      to: sent.Destination?.ToAddresses ?? [],
      raw: Buffer.from(data, 'base64'),
    }
    front.messages.push(kept)
    onKept?.(kept)
    // Memory stays bounded in a long `npm run dev`: the oldest go first.
    if (front.messages.length > KEPT_LIMIT) front.messages.splice(0, front.messages.length - KEPT_LIMIT)
  } catch {
    // Not a raw send we can read: the stand-in still has it.
  }
}
