/**
 * Response headers on the built app (served over http here, so no HSTS and no `Secure`
 * cookie; tests/e2e/web-lambda-build.test.ts serves an https site): a Content-Security-Policy
 * that lets only the scripts Nuxt rendered (each with this response's nonce) run and connects
 * only to the site and the mail bucket (presigned list uploads), no framing,
 * nosniff, the referrer policy; no cookie for anonymous callers; nothing cached for callers with
 * credentials. In Chromium, the pages run under that policy without a violation.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createPage, fetch, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity } from '../../../server/aws/table'
import { createApiToken } from '../../../server/services/api-tokens'
import { ensurePublicId } from '../../../server/services/public-events'
import { inviteRequestToken } from '../../../server/services/invite-requests'
import { webAnswerToken } from '../../../server/services/web-answer-links'
import { openSignInLink, sessionSetCookie, signIn } from '../session'
import { CHROMIUM } from './browser'

/** The policy's directives: name → sources. */
function directives(policy: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (policy ?? '').split(';').map((part) => part.trim().split(/\s+/)).filter(([name]) => name).map(([name, ...sources]) => [name!, sources]),
  )
}

describe('security headers, cookies and caching', { tags: ['security'] }, () => {
  const email = `helmut-${randomUUID().slice(0, 8)}@headers.example`
  // Signed in by the first test that needs it (the server starts after this file's hooks are set).
  let session: Promise<string> | undefined
  const signedIn = () => (session ??= signIn(email))

  it.each(['/', '/sign-in', '/dashboard'])('%s carries the policy, its nonce on every script, no framing, nosniff and the referrer policy', async (path) => {
    const response = await fetch(path, { headers: path === '/dashboard' ? { cookie: await signedIn() } : {}, redirect: 'manual' })
    expect(response.status).toBe(200)
    const html = await response.text()
    const policy = directives(response.headers.get('content-security-policy'))
    const nonce = /^'nonce-([^']+)'$/.exec(policy['script-src']?.find((source) => source.startsWith("'nonce-")) ?? '')?.[1]
    expect(nonce, 'a nonce in script-src').toBeDefined()
    expect(policy['script-src']).not.toContain("'unsafe-inline'")
    expect(policy['script-src']).not.toContain("'unsafe-eval'")
    expect(policy['script-src-attr']).toEqual(["'none'"])
    expect(policy['object-src']).toEqual(["'none'"])
    expect(policy['base-uri']).toEqual(["'none'"])
    expect(policy['frame-ancestors']).toEqual(["'none'"])
    const scripts = html.match(/<script\b[^>]*>/g) ?? []
    expect(scripts.length).toBeGreaterThan(0)
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([])
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    // Served over http (CIS_SITE_URL is http here): no HSTS.
    expect(response.headers.get('strict-transport-security')).toBeNull()
  })

  it('lets pages connect to their own origin and to the mail bucket only (the dashboard PUTs list files to presigned URLs there)', async () => {
    // The local S3 stand-in's origin, known only once the test stack started it on a free port.
    const bucket = new URL(process.env.CIS_S3_ENDPOINT!).origin
    for (const path of ['/', '/sign-in', '/dashboard']) {
      const response = await fetch(path, { headers: path === '/dashboard' ? { cookie: await signedIn() } : {}, redirect: 'manual' })
      expect(directives(response.headers.get('content-security-policy'))['connect-src'], path).toEqual(["'self'", bucket])
    }
  })

  it('gives every response a fresh nonce', async () => {
    const nonceOf = async () => /'nonce-([^']+)'/.exec((await fetch('/sign-in')).headers.get('content-security-policy') ?? '')?.[1]
    const [first, second] = [await nonceOf(), await nonceOf()]
    expect(first).toBeDefined()
    expect(first).not.toBe(second)
  })

  it('API answers are nosniff and unframed too', async () => {
    const response = await fetch('/api/health')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
  })

  it.each(['/api/health', '/api/events/upcoming', '/api/auth/me', '/api/events', '/api/_auth/session', '/api/openapi.json', '/', '/sign-in', '/dashboard'])(
    'sets no cookie for an anonymous GET %s',
    async (path) => {
      const response = await fetch(path, { redirect: 'manual' })
      expect(response.headers.getSetCookie()).toEqual([])
    },
  )

  it('answers the session route for an anonymous caller with an empty session', async () => {
    const response = await fetch('/api/_auth/session')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({})
  })

  it('sets the session cookie without Secure on an http site, on an answer nobody may store', async () => {
    const answer = await openSignInLink(`secure-${randomUUID().slice(0, 8)}@headers.example`)
    expect(sessionSetCookie(answer)).toMatch(/HttpOnly/i)
    expect(sessionSetCookie(answer)).not.toMatch(/;\s*Secure/i)
    expect(answer.headers.get('cache-control')).toBe('no-store')
  })

  it('does not let signed-in answers be stored: pages and API with the session cookie, API with a token', async () => {
    const cookie = await signedIn()
    for (const path of ['/dashboard', '/api/auth/me', '/api/events', '/api/_auth/session']) {
      const response = await fetch(path, { headers: { cookie } })
      expect(response.status, path).toBe(200)
      expect(response.headers.get('cache-control'), path).toBe('no-store')
    }
    const { token } = await createApiToken(email)
    for (const path of ['/api/auth/me', '/api/events']) {
      const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } })
      expect(response.status, path).toBe(200)
      expect(response.headers.get('cache-control'), path).toBe('no-store')
    }
  })
})

describe.skipIf(!existsSync(CHROMIUM))('pages in a browser run under the Content-Security-Policy', () => {
  type Violation = { directive: string; blocked: string; source: string }
  /** Opens `path` recording every policy violation (the DOM event, and Chromium's console line). */
  async function pageRecordingViolations(path: string, sessionCookie?: string): Promise<{ page: NuxtPage; violations: () => Promise<Violation[]>; consoleLines: string[] }> {
    const page = await createPage()
    page.setDefaultTimeout(10_000)
    const consoleLines: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) consoleLines.push(message.text())
    })
    await page.addInitScript(() => {
      const seen: { directive: string; blocked: string; source: string }[] = []
      ;(window as unknown as { __violations: typeof seen }).__violations = seen
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI, source: `${event.sourceFile}:${event.lineNumber}:${event.columnNumber}` }),
      )
    })
    if (sessionCookie) {
      const split = sessionCookie.indexOf('=')
      await page.context().addCookies([{ name: sessionCookie.slice(0, split), value: sessionCookie.slice(split + 1), url: url('/') }])
    }
    await page.goto(url(path), { waitUntil: 'hydration' })
    const violations = () => page.evaluate(() => (window as unknown as { __violations: Violation[] }).__violations)
    return { page, violations, consoleLines }
  }

  const organizer = `csp-${randomUUID().slice(0, 8)}@headers.example`
  const uid = `csp-${randomUUID()}@test`
  let session: Promise<string> | undefined
  const signedIn = () => (session ??= signIn(organizer))

  beforeAll(async () => {
    await EventEntity.build(EntityRepository).put({
      uid, organizerEmail: organizer, organizerDomain: 'headers.example', summary: 'Policy review', start: '2031-05-01T10:00:00Z', dtstamp: '2030-01-01T00:00:00Z',
    })
  })

  it.each(['/', '/sign-in', '/dashboard', '/dashboard/tokens', '/dashboard/mail', `/dashboard/events/${encodeURIComponent(uid)}`])('%s hydrates with no violation', async (path) => {
    const { page, violations, consoleLines } = await pageRecordingViolations(path, path.startsWith('/dashboard') ? await signedIn() : undefined)
    expect(new URL(page.url()).pathname).toBe(path)
    // Hydrated: Nuxt's scripts ran.
    expect(await page.evaluate(() => (window as unknown as { useNuxtApp?: () => { isHydrating?: boolean } }).useNuxtApp?.().isHydrating)).toBe(false)
    expect(await violations()).toEqual([])
    expect(consoleLines).toEqual([])
    await page.close()
  })

  it('the public pages hydrate with no violation: an event page, its embed, an invite confirmation and a web answer', async () => {
    const publicId = (await ensurePublicId(uid))!
    const visitor = `visitor-${randomUUID().slice(0, 8)}@headers.example`
    const confirm = inviteRequestToken(visitor, publicId, 'landing-page', new Date(Date.now() + 86_400_000))
    for (const path of [`/events/${publicId}`, `/embed/${publicId}`, `/invite-requests/${confirm}`, `/rsvp/${webAnswerToken(visitor, uid)}?answer=ACCEPTED`]) {
      const { page, violations, consoleLines } = await pageRecordingViolations(path)
      expect(await page.evaluate(() => (window as unknown as { useNuxtApp?: () => { isHydrating?: boolean } }).useNuxtApp?.().isHydrating), path).toBe(false)
      expect(await violations(), path).toEqual([])
      expect(consoleLines, path).toEqual([])
      await page.close()
    }
  })

  it('refuses script the page did not carry (an inline event handler), and the recording sees it', async () => {
    const { page, violations } = await pageRecordingViolations('/sign-in')
    await page.evaluate(() => {
      const button = document.createElement('button')
      button.setAttribute('onclick', 'window.__ran = true')
      document.body.append(button)
      button.click()
    })
    await expect.poll(violations).toEqual([expect.objectContaining({ directive: 'script-src-attr' })])
    expect(await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran)).toBeUndefined()
    await page.close()
  })
})
