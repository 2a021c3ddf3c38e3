/**
 * When an API call of the dashboard fails (a 4xx with its sentence, a bare 500, no network),
 * the page says so in an alert (role="alert") with the API's sentence, or its own when the
 * API gave none, and keeps what it already showed; it never shows an empty list instead.
 * Failures are made in the browser (page.route), on pages reached inside the app so their
 * calls run there; a bad cursor is sent to the real API, which answers 400.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { fetch } from '@nuxt/test-utils/e2e'
import type { Route } from 'playwright-core'
import { EntityRepository } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity, InvitationEntity } from '../../../server/aws/table'
import { mailbox } from '../../integration/support'
import { signIn } from '../session'
import { artifacts, CHROMIUM, navigate, signedInPage } from './browser'

const events = EventEntity.build(EntityRepository)
const attendees = AttendeeEntity.build(EntityRepository)
const invitations = InvitationEntity.build(EntityRepository)

/** The JSON a crash gives (Nitro in production): no sentence in it. */
const crash = (route: Route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: true, statusCode: 500, statusMessage: 'Server Error', message: 'Server Error' }) })
/** An API error with its sentence. */
const refuse = (status: number, message: string) => (route: Route) =>
  route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error: true, statusCode: status, statusMessage: 'Server Error', message }) })
/** The same request with a cursor the server never gave out: the real API answers 400. */
const badCursor = (route: Route) => {
  const target = new URL(route.request().url())
  target.searchParams.set('cursor', 'bm90LWEtY3Vyc29y')
  return route.continue({ url: target.toString() })
}
/** Matches requests to `pathname` (with or without a cursor, when said). page.unroute needs the very function given to page.route. */
const requestsTo = (pathname: string, withCursor?: boolean) => (url: URL) => url.pathname === pathname && (withCursor === undefined || url.searchParams.has('cursor') === withCursor)
const nextEvents = requestsTo('/api/events', true)
const firstEvents = requestsTo('/api/events', false)
const tokensApi = requestsTo('/api/tokens')

describe.skipIf(!existsSync(CHROMIUM))('dashboard failures in a browser: the sentence in an alert, nothing shown lost', () => {
  const run = randomUUID().slice(0, 8)
  const erin = `erin-${run}@failures.example`
  const uid = (n: number) => `fail-${run}-${String(n).padStart(2, '0')}@test`
  let cookie = ''

  beforeAll(async () => {
    // One more event than a page (50).
    await Promise.all(
      Array.from({ length: 51 }, (_, n) =>
        events.put({ uid: uid(n), organizerEmail: erin, organizerDomain: 'failures.example', summary: `Failing ${String(n).padStart(2, '0')} ${run}`, start: `2032-01-01T10:${String(n).padStart(2, '0')}:00Z`, dtstamp: '2030-01-01T00:00:00Z' }),
      ),
    )
    await Promise.all([
      attendees.put({ eventUid: uid(0), email: 'ada@example.org', partstat: 'NEEDS-ACTION', source: 'invite' }),
      invitations.put({ eventUid: uid(0), email: 'ada@example.org', origin: 'api', invitedAt: '2031-12-01T09:00:00Z', status: 'sent', sentAt: '2031-12-01T09:01:00Z' }),
    ])
  })

  it('signs the organizer in', async () => {
    cookie = await signIn(erin)
  })

  it('shows the API\'s sentence when the first page of events fails (server-rendered)', async () => {
    const html = await (await fetch(`/dashboard?organizer=${encodeURIComponent(`nobody@elsewhere-${run}.example`)}`, { headers: { cookie } })).text()
    expect(html).toMatch(/role="alert"[^>]*>There is no such organizer among yours\.</)
    expect(html).not.toContain('data-test="no-events"')
  })

  it('keeps the events shown when "Load more" fails: 400 for a bad cursor, 500, no network; then loads them', async () => {
    const page = await signedInPage(cookie, '/dashboard')
    const items = page.locator('[data-test="events"] li')
    expect(await items.count()).toBe(50)
    /** Clicks "Load more" with the next page failing as `fail` makes it, and returns the alert then shown. */
    const loadMoreFailing = async (fail: (route: Route) => Promise<void>) => {
      // The alert of an earlier try is marked: the one this try shows must be a new one.
      await page.locator('[data-test="events-error"]').evaluateAll((shown) => shown.forEach((alert) => alert.setAttribute('data-earlier', '')))
      await page.route(nextEvents, fail)
      await page.click('text=Load more')
      const alert = page.locator('[data-test="events-error"]:not([data-earlier])')
      await alert.waitFor()
      await page.unroute(nextEvents)
      expect(await alert.getAttribute('role')).toBe('alert')
      expect(await items.count()).toBe(50)
      return alert.textContent()
    }

    expect(await loadMoreFailing(badCursor)).toBe('The cursor is not one this server gave out.')
    expect(await loadMoreFailing(crash)).toBe('More events could not be loaded. Please try again shortly.')
    expect(await loadMoreFailing((route) => route.abort('internetdisconnected'))).toBe('More events could not be loaded. Please try again shortly.')
    await page.screenshot({ path: `${artifacts}failures-load-more.png`, fullPage: true })

    await page.click('text=Load more')
    await expect.poll(() => items.count()).toBe(51)
    expect(await page.locator('[data-test="events-error"]').count()).toBe(0)

    // Another tab whose first page fails: the sentence, not "No past events."
    await page.route(firstEvents, (route) => route.abort('internetdisconnected'))
    await page.click('[data-test="tab-past"]')
    expect(await page.textContent('[data-test="events-error"][role="alert"]')).toBe('The events could not be loaded. Please try again shortly.')
    expect(await page.locator('[data-test="no-events"]').count()).toBe(0)
    await page.close()
  })

  it('drops a slow "Load more" answer when another view was chosen meanwhile', async () => {
    const page = await signedInPage(cookie, '/dashboard')
    const items = page.locator('[data-test="events"] li')
    expect(await items.count()).toBe(50)
    // The next page of upcoming events is held on its way until the cancelled tab shows.
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route(nextEvents, async (route) => {
      await held
      await route.continue()
    })
    await page.click('text=Load more')
    await page.click('[data-test="tab-cancelled"]')
    await page.waitForSelector('[data-test="no-events"]')
    const answered = page.waitForResponse((response) => nextEvents(new URL(response.url())))
    release()
    expect((await answered).status()).toBe(200)
    // Time for the page to handle the answer (it would append at once).
    await page.waitForTimeout(200)
    expect(await items.count()).toBe(0)
    expect(await page.textContent('[data-test="no-events"]')).toContain('No cancelled events')
    await page.close()
  })

  it('says when an event\'s attendees or invitations fail, and a refused invite is an alert', async () => {
    const page = await signedInPage(cookie, '/dashboard')
    await page.route(requestsTo(`/api/events/${encodeURIComponent(uid(0))}/attendees`), badCursor)
    await page.route(requestsTo(`/api/events/${encodeURIComponent(uid(0))}/invites`), (route) => (route.request().method() === 'GET' ? crash(route) : route.fallback()))
    await page.click(`text=Failing 00 ${run}`)
    await page.waitForSelector('[data-test="invite-form"]')
    expect(await page.textContent('[data-test="attendees-error"][role="alert"]')).toBe('The cursor is not one this server gave out.')
    expect(await page.textContent('[data-test="invitations-error"][role="alert"]')).toBe('The invitations could not be loaded. Please try again shortly.')
    expect(await page.locator('text=No attendees yet.').count()).toBe(0)
    expect(await page.locator('text=No invitations yet.').count()).toBe(0)

    // The server's own mailbox is refused with a sentence (422).
    await page.fill('[data-test="invite-form"] input[type="email"]', mailbox('create'))
    await page.click('[data-test="invite-form"] button[type="submit"]')
    await expect.poll(() => page.locator('[data-test="invite-answer"][role="alert"]').textContent().catch(() => null)).toBe(`${mailbox('create')} is one of this server's own mailboxes.`)

    // A name the API would refuse is named by the form, with the API's sentence, before anything is sent.
    let posted = 0
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/invites')) posted++
    })
    await page.fill('[data-test="invite-form"] input[type="email"]', 'long-name@example.org')
    await page.fill('[data-test="invite-form"] input[type="text"]', 'N'.repeat(201))
    await page.click('[data-test="invite-form"] button[type="submit"]')
    await expect.poll(() => page.locator('[data-test="invite-answer"][role="alert"]').textContent().catch(() => null)).toBe('The name is too long (200 characters at most).')
    expect(posted).toBe(0)
    await page.screenshot({ path: `${artifacts}failures-event.png`, fullPage: true })
    await page.close()
  })

  it('says when rejected mail, tokens or domains fail, and when a token cannot be made or revoked', async () => {
    const page = await signedInPage(cookie, '/dashboard')
    await page.route(requestsTo('/api/mail/rejected'), crash)
    await navigate(page, '/dashboard/mail')
    expect(await page.textContent('[data-test="mail-error"][role="alert"]')).toBe('The messages could not be loaded. Please try again shortly.')
    expect(await page.locator('[data-test="no-mail"]').count()).toBe(0)

    await page.route(requestsTo('/api/domains'), crash)
    await navigate(page, '/dashboard/domains')
    expect(await page.textContent('[data-test="domains-error"][role="alert"]')).toBe('The domains could not be loaded. Please try again shortly.')

    await page.route(tokensApi, (route) => (route.request().method() === 'GET' ? route.abort('internetdisconnected') : route.fallback()))
    await navigate(page, '/dashboard/tokens')
    expect(await page.textContent('[data-test="tokens-error"][role="alert"]')).toBe('The tokens could not be loaded. Please try again shortly.')
    expect(await page.locator('[data-test="no-tokens"]').count()).toBe(0)
    await page.unroute(tokensApi)

    await page.route(tokensApi, (route) => (route.request().method() === 'POST' ? refuse(429, 'Too many tokens were made; try again in an hour.')(route) : route.fallback()))
    await page.click('[data-test="token-form"] button[type="submit"]')
    await expect.poll(() => page.locator('[data-test="token-error"][role="alert"]').textContent().catch(() => null)).toBe('Too many tokens were made; try again in an hour.')
    await page.unroute(tokensApi)

    // A real token, then its revocation fails.
    await page.fill('[data-test="token-form"] input', `kept ${run}`)
    await page.click('[data-test="token-form"] button[type="submit"]')
    await page.waitForSelector(`[data-test="tokens"] >> text=kept ${run}`)
    await page.route((url) => url.pathname.startsWith('/api/tokens/'), crash)
    await page.click(`[data-test="tokens"] tr:has-text("kept ${run}") [data-test="revoke"]`)
    await page.click(`[data-test="tokens"] tr:has-text("kept ${run}") [data-test="revoke-yes"]`)
    await expect.poll(() => page.locator('[data-test="token-error"][role="alert"]').textContent().catch(() => null)).toBe('The token could not be revoked. Please try again shortly.')
    expect(await page.textContent('[data-test="tokens"]')).toContain(`kept ${run}`)
    await page.screenshot({ path: `${artifacts}failures-tokens.png`, fullPage: true })
    await page.close()
  })
})
