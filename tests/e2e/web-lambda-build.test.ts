/**
 * The web app as it is deployed: Nuxt built with Nitro's aws-lambda preset, its `handler`
 * run in a Node.js process of its own (as Lambda runs it) and called with API Gateway HTTP API
 * (payload 2.0) events, against the local stack, for an https site (CIS_SITE_URL): the 1 MB
 * body cap, HSTS and the security headers, a `Secure` session cookie, and every static file
 * a page loads present, byte for byte, in the assets folder `npm run build:aws` uploads
 * (the same copy of the build's public folder, server/deploy/assets.ts).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { fork, type ChildProcess } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { buildNuxt, loadNuxt } from 'nuxt/kit'
import type { NuxtConfig } from 'nuxt/schema'
import { repoRoot } from '../corpus'
import { organizerCreatesEvent, rawSentMail } from '../integration/support'
import { loadEvent } from '../../server/services/event-store'
import { assetFileFor, copyAssets } from '../../server/deploy/assets'

const SITE = 'https://cis.example.test'
/** What the distribution's origin header carries, as the template sets it (the stack id's random part). */
const ORIGIN_VERIFY = randomUUID()
const MB = 1024 * 1024

interface LambdaAnswer {
  statusCode: number
  headers: Record<string, string>
  cookies?: string[]
  body: string
}
type Reply = { ready: true } | { id: string; answer: LambdaAnswer } | { id: string; error: string }

/** The static files a page loads: each same-site `<script src>` and asset `<link href>`, with its integrity hash if it has one. */
function referencedAssets(html: string) {
  const assets: { urlPath: string; integrity?: string }[] = []
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
    const url = /\s(?:src|href)="([^"]+)"/.exec(tag)?.[1]
    if (!url?.startsWith('/') || url.startsWith('//')) continue
    // Not rel="alternate" or "canonical": those name pages and feeds the function serves.
    if (tag.startsWith('<link') && !/\srel="(?:stylesheet|modulepreload|preload|prefetch|icon|manifest)"/.test(tag)) continue
    const integrity = /\sintegrity="([^"]+)"/.exec(tag)?.[1]
    assets.push({ urlPath: url, ...(integrity ? { integrity } : {}) })
  }
  return assets
}

/** The app manifest the client fetches when it starts, named by the build id in the page's Nuxt config. */
function appManifestPath(html: string) {
  const buildId = /buildId:"([^"]+)"/.exec(html)?.[1]
  const buildAssetsDir = /buildAssetsDir:"([^"]+)"/.exec(html)?.[1]
  return buildId && buildAssetsDir ? `${buildAssetsDir}builds/meta/${buildId}.json` : undefined
}

/** An API Gateway HTTP API event (payload format 2.0), as the web function receives it. */
function apiEvent(method: string, rawPath: string, options: { body?: string; headers?: Record<string, string>; query?: Record<string, string>; direct?: boolean } = {}) {
  const query = options.query ?? {}
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    headers: { host: new URL(SITE).host, 'x-forwarded-proto': 'https', ...(options.direct ? {} : { 'x-cis-origin-verify': ORIGIN_VERIFY }), ...options.headers },
    requestContext: {
      accountId: '000000000000', apiId: 'local', domainName: new URL(SITE).host, domainPrefix: 'cis', requestId: randomUUID(), routeKey: '$default', stage: '$default',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'lambda-build-test' },
      time: new Date().toUTCString(), timeEpoch: Date.now(),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
  }
}

describe('the Nitro-built web Lambda (aws-lambda preset) on an https site', () => {
  const buildDir = path.join(repoRoot, '.nuxt', `lambda-${randomUUID().slice(0, 8)}`)
  const assetsDir = path.join(buildDir, 'assets')
  let lambda: ChildProcess | undefined
  const waiting = new Map<string, (reply: Reply) => void>()

  /** Invokes the built handler with `event`, in its own process. */
  function call(event: ReturnType<typeof apiEvent>): Promise<LambdaAnswer> {
    const id = randomUUID()
    return new Promise((resolve, reject) => {
      waiting.set(id, (reply) => ('answer' in reply ? resolve(reply.answer) : reject(new Error('error' in reply ? reply.error : 'no answer'))))
      lambda!.send({ id, event })
    })
  }

  beforeAll(async () => {
    // `nitro` is Nuxt's option only with Nitro's type augmentations, which need a prepared app.
    const overrides = { buildDir, nitro: { preset: 'aws-lambda', output: { dir: path.join(buildDir, 'output') } } } as NuxtConfig
    const nuxt = await loadNuxt({ cwd: repoRoot, dev: false, overrides })
    await buildNuxt(nuxt)
    await nuxt.close()
    await copyAssets(path.join(buildDir, 'output/public'), assetsDir)
    // As Lambda runs it: plain `node` (not the test worker's `--conditions development`, which
    // picks files the build leaves out), the site's address and the local stack's endpoints, no NODE_ENV.
    const { NODE_ENV: _, ...env } = process.env
    lambda = fork(fileURLToPath(new URL('../support/lambda-process.mjs', import.meta.url)), [path.join(buildDir, 'output/server/index.mjs')], {
      execArgv: [],
      env: { ...env, CIS_SITE_URL: SITE, CIS_ORIGIN_VERIFY: ORIGIN_VERIFY, CIS_TRUSTED_PROXIES: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    await new Promise<void>((ready, failed) => {
      lambda!.on('message', (reply: Reply) => ('ready' in reply ? ready() : waiting.get(reply.id)?.(reply)))
      lambda!.once('exit', (code) => failed(new Error(`the Lambda process exited (${code})`)))
    })
  }, 180_000)

  afterAll(async () => {
    lambda?.kill()
    await rm(buildDir, { recursive: true, force: true })
  })

  it.each([
    ['without the header', {}],
    ['with a wrong header', { 'x-cis-origin-verify': randomUUID() }],
  ])('refuses a request that did not come through the distribution (%s) with 403 and a sentence', async (_, headers) => {
    for (const [method, rawPath] of [['GET', '/'], ['POST', '/api/auth/sign-in']] as const) {
      const answer = await call(apiEvent(method, rawPath, { direct: true, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'POST' ? { body: '{"email":"a@example.com"}' } : {}) }))
      expect(answer.statusCode, `${method} ${rawPath}`).toBe(403)
      expect(answer.body).toContain("This address answers only through the site's own address")
    }
    expect((await call(apiEvent('GET', '/'))).statusCode).toBe(200)
  })

  it.each([
    ['with its Content-Length', true],
    ['without a Content-Length', false],
  ])('answers a JSON body over 1 MB (%s) with 413 and a sentence', async (_, declareLength) => {
    const body = JSON.stringify({ email: 'a'.repeat(2 * MB) })
    const answer = await call(apiEvent('POST', '/api/auth/sign-in', {
      body,
      headers: { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
    }))
    expect(answer.statusCode, answer.body).toBe(413)
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'The request body is larger than 1 MB, the most this server accepts.' })
  })

  it('reads a body under 1 MB as usual', async () => {
    const answer = await call(apiEvent('POST', '/api/auth/sign-in', { body: JSON.stringify({ email: 'not-an-address' }), headers: { 'content-type': 'application/json' } }))
    expect(answer.statusCode).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'Give a valid email address.' })
  })

  it('serves pages and API answers with HSTS and the security headers', async () => {
    const page = await call(apiEvent('GET', '/sign-in'))
    expect(page.statusCode).toBe(200)
    expect(page.headers['strict-transport-security']).toBe('max-age=15552000; includeSubDomains')
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'strict-dynamic' 'nonce-[^']+';/)
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none';")
    expect(page.headers['x-frame-options']).toBe('DENY')
    const api = await call(apiEvent('GET', '/api/health'))
    expect(api.headers['strict-transport-security']).toBe('max-age=15552000; includeSubDomains')
    expect(api.headers['x-content-type-options']).toBe('nosniff')
    expect(api.cookies ?? []).toEqual([])
  })

  it('serves an unlisted event\'s page and its embed, kept out of search engines (x-robots-tag)', async () => {
    const uid = `lambda-page-${randomUUID()}@lambda.example`
    await organizerCreatesEvent(uid, `pages-${randomUUID().slice(0, 8)}@lambda.example`, 'Paula', 'Unlisted evening')
    const publicId = (await loadEvent(uid))!.publicId!
    for (const rawPath of [`/events/${publicId}`, `/embed/${publicId}`]) {
      const page = await call(apiEvent('GET', rawPath))
      expect(page.statusCode, `${rawPath}: ${page.body.slice(0, 300)}`).toBe(200)
      expect(page.body).toContain('Unlisted evening')
      expect(page.headers['x-robots-tag'], rawPath).toBe('noindex')
    }
  })

  it('sets the session cookie Secure, on an answer nobody may store', async () => {
    const email = `lambda-${randomUUID().slice(0, 8)}@lambda.example`
    const since = Date.now()
    const asked = await call(apiEvent('POST', '/api/auth/sign-in', { body: JSON.stringify({ email }), headers: { 'content-type': 'application/json' } }))
    expect(asked.statusCode, asked.body).toBe(202)
    const [mail] = await rawSentMail(since, email)
    const link = new URL(/^(https:\S+\/sign-in\/verify\?token=\S+)$/m.exec((await PostalMime.parse(mail!.raw)).text ?? '')![1]!)
    expect(link.origin).toBe(SITE)
    const verified = await call(apiEvent('GET', link.pathname, { query: Object.fromEntries(link.searchParams) }))
    expect(verified.statusCode).toBe(303)
    expect(verified.headers['cache-control']).toBe('no-store')
    const cookie = verified.cookies?.find((line) => line.startsWith('nuxt-session='))
    expect(cookie).toMatch(/;\s*Secure/i)
    expect(cookie).toMatch(/HttpOnly/i)
  })
  it.each(['/', '/sign-in'])('%s loads only files the assets folder holds, each the one its integrity hash names', async (page) => {
    const answer = await call(apiEvent('GET', page))
    expect(answer.statusCode, answer.body).toBe(200)
    const assets = referencedAssets(answer.body)
    expect(assets.map((asset) => asset.urlPath)).toEqual(expect.arrayContaining(['/favicon.svg', expect.stringMatching(/^\/_nuxt\/.+\.js$/), expect.stringMatching(/^\/_nuxt\/.+\.css$/)]))
    const manifest = appManifestPath(answer.body)
    expect(manifest).toBeDefined()
    for (const { urlPath, integrity } of [...assets, { urlPath: manifest! }]) {
      const file = await readFile(assetFileFor(assetsDir, urlPath)).catch(() => undefined)
      expect(file, `${urlPath} is not in the assets folder`).toBeDefined()
      if (integrity) expect(`sha384-${createHash('sha384').update(file!).digest('base64')}`, urlPath).toBe(integrity)
    }
  })
})
