/**
 * Every page of the app, as each kind of visitor sees it, through checkPage (screenshots at
 * 1366 and 390 px in tests/artifacts/page-*.png, no document wider than its viewport, no
 * serious axe-core finding): signed out, an organizer's pages, a system owner's. On each, the
 * header marks the section the page belongs to; on a phone the header folds into a menu that
 * opens and closes, with and without JavaScript.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createPage, fetch, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { MailLogEntity, OrganizerEntity } from '../../../server/aws/table'
import { setOwner } from '../../../server/services/owners'
import { setBulkSender } from '../../../server/services/bulk-senders'
import { organizerCreatesEvent } from '../../integration/support'
import { signIn } from '../session'
import { artifacts, CHROMIUM, signedInPage } from './browser'
import { checkPage, PHONE } from './page-checks'

const mailLog = MailLogEntity.build(EntityRepository)
const organizers = OrganizerEntity.build(EntityRepository)

/** The header's marked section (its text), or null when none is marked. */
const markedSection = (page: NuxtPage) => page.locator('[data-test="header-nav"] [aria-current="page"]').textContent({ timeout: 2_000 }).catch(() => null)

describe.skipIf(!existsSync(CHROMIUM))('every page at desktop and phone width (header, 404, tables, phone menu)', () => {
  const run = randomUUID().slice(0, 8)
  const domain = `shell-${run}.example`
  const olga = `olga-${run}@${domain}`
  // Long addresses must wrap, not widen the page: one more organizer of the domain has one.
  const longOrganizer = `olga.with.a.rather.long.address-${run}@${domain}`
  const sam = `sam-${run}@shell-owners.example`
  const uid = `shell-${run}@test`
  const cookies = { olga: '', sam: '' }
  let publicPath = ''

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    await organizerCreatesEvent(uid, olga, 'Olga Organizer', `Quarterly planning ${run}`)
    await Promise.all([
      setOwner(sam, { systemOwner: true, domains: [] }, 'tests'),
      organizers.put({ email: longOrganizer, name: 'Olga With A Long Address', domain, eventCount: 0, replyCount: 0 }),
      setBulkSender(`lists-with-a-long-address-${run}@bulk-partner.example`, { dailyLimit: 2500 }, sam),
      mailLog.put({
        key: `shell-rejected-${run}`, mailbox: 'create', sender: olga, subject: 'Invitation: a subject long enough to wrap on a phone, with no spaces-in-this-part-of-it-at-all',
        receivedAt: '2030-01-02T00:00:00Z', outcome: 'rejected', reason: 'The sender could not be verified (no SPF or DKIM pass).',
      }),
    ])
  })

  it('signs the organizer and the system owner in', async () => {
    cookies.olga = await signIn(olga)
    cookies.sam = await signIn(sam)
    const event = await fetch(`/api/events/${encodeURIComponent(uid)}`, { headers: { cookie: cookies.olga } })
    publicPath = new URL(((await event.json()) as { publicUrl: string }).publicUrl).pathname
  })

  it('signed out: the home page, sign-in, a public event page and a 404', async () => {
    const page = await createPage('/')
    page.setDefaultTimeout(10_000)
    expect(await page.locator('[data-test="header-nav"]').count()).toBe(0)
    await checkPage(page, 'page-home')

    await page.goto(url('/sign-in'), { waitUntil: 'hydration' })
    expect(await page.getAttribute('header a[href="/sign-in"]', 'aria-current')).toBe('page')
    await checkPage(page, 'page-sign-in')

    await page.goto(url(publicPath), { waitUntil: 'hydration' })
    await page.waitForSelector(`text=Quarterly planning ${run}`)
    await checkPage(page, 'page-public-event')

    const missing = await page.goto(url(`/no-such-page-${run}`), { waitUntil: 'hydration' })
    expect(missing?.status()).toBe(404)
    expect(await page.textContent('[data-test="error-page"] h1')).toBe('This page does not exist')
    // The app's own header and a way back, not the framework's page.
    expect(await page.locator('header a[href="/"]').count()).toBeGreaterThan(0)
    expect(await page.getAttribute('[data-test="error-home"]', 'href')).toBe('/')
    await checkPage(page, 'page-404')
    await page.click('[data-test="error-home"]')
    await page.waitForURL(url('/'))
    await expect.poll(() => page.locator('[data-test="error-page"]').count()).toBe(0)
    await page.close()
  })

  it('an organizer: events, an event, rejected mail and tokens, each marked in the header', async () => {
    const page = await signedInPage(cookies.olga, '/dashboard')
    await page.waitForSelector(`text=Quarterly planning ${run}`)
    expect(await markedSection(page)).toBe('Events')
    // An organizer owns nothing: no owner sections.
    expect(await page.locator('[data-test="header-nav"] a').allTextContents()).toEqual(['Events', 'Rejected mail', 'API tokens'])
    await checkPage(page, 'page-dashboard')
    // By keyboard: the first Tab reaches "Skip to content", shown and ringed; the next ones the header.
    await page.setViewportSize({ width: 1366, height: 900 })
    await page.keyboard.press('Tab')
    const focused = () => page.evaluate(() => {
      const element = document.activeElement as HTMLElement
      return { text: element.textContent?.trim(), outline: getComputedStyle(element).outlineStyle, width: element.getBoundingClientRect().width }
    })
    expect(await focused()).toMatchObject({ text: 'Skip to content', outline: 'solid' })
    expect((await focused()).width).toBeGreaterThan(1)
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await focused()).toMatchObject({ text: 'Events', outline: 'solid' })

    await page.goto(url(`/dashboard/events/${encodeURIComponent(uid)}`), { waitUntil: 'hydration' })
    expect(await markedSection(page)).toBe('Events')
    await checkPage(page, 'page-event')

    await page.goto(url('/dashboard/mail'), { waitUntil: 'hydration' })
    await page.waitForSelector('[data-test="rejected"]')
    expect(await markedSection(page)).toBe('Rejected mail')
    await checkPage(page, 'page-mail')

    await page.goto(url('/dashboard/tokens'), { waitUntil: 'hydration' })
    expect(await markedSection(page)).toBe('API tokens')
    await page.fill('[data-test="token-form"] input', `Calendar sync script for the whole team ${run}`)
    await page.click('[data-test="token-form"] button[type="submit"]')
    const token = (await page.textContent('[data-test="new-token"] code'))!
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url('/') })
    await page.click('[data-test="copy-token"]')
    await expect.poll(() => page.textContent('[data-test="copy-token"]')).toBe('Copied')
    expect(await page.textContent('[data-test="new-token"] [data-test="copy-status"]')).toBe('The token copied to the clipboard.')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token)
    await page.locator('[data-test="revoke"]').first().click()
    await page.waitForSelector('[data-test="revoke-confirm"]')
    await checkPage(page, 'page-tokens')

    const missing = await page.goto(url(`/dashboard/nothing-here-${run}`), { waitUntil: 'hydration' })
    expect(missing?.status()).toBe(404)
    expect(await page.getAttribute('[data-test="error-home"]', 'href')).toBe('/dashboard')
    expect(await page.locator('[data-test="header-nav"]').count()).toBe(1)
    await checkPage(page, 'page-404-signed-in')
    await page.close()
  })

  it('a system owner: domains, a domain, bulk senders, with the owner sections in the header', async () => {
    const page = await signedInPage(cookies.sam, '/dashboard/domains')
    expect(await page.locator('[data-test="header-nav"] a').allTextContents()).toEqual(['Events', 'Rejected mail', 'API tokens', 'Domains', 'Bulk senders'])
    expect(await markedSection(page)).toBe('Domains')
    await page.waitForSelector(`[data-test="domain-${domain}"]`)
    // A mistyped domain is named as typed, in a sentence without a field path.
    await page.fill('[data-test="owner-form"] input[type="email"]', `someone-${run}@example.org`)
    await page.fill('[data-test="owner-form"] input[type="text"]', 'example.com, exa mple')
    await page.click('[data-test="owner-form"] button[type="submit"]')
    await expect.poll(() => page.textContent('[data-test="owner-answer"]').catch(() => null)).toBe('“exa” is not a domain name: give one such as example.com.')
    await checkPage(page, 'page-domains')

    await page.goto(url(`/dashboard/domains/${domain}`), { waitUntil: 'hydration' })
    expect(await markedSection(page)).toBe('Domains')
    await page.waitForSelector(`[data-test="organizers"] >> text=${longOrganizer}`)
    await checkPage(page, 'page-domain')

    await page.goto(url('/dashboard/bulk-senders'), { waitUntil: 'hydration' })
    expect(await markedSection(page)).toBe('Bulk senders')
    await page.waitForSelector('[data-test="bulk-senders"]')
    await checkPage(page, 'page-bulk-senders')
    await page.close()
  })

  it('on a phone the header is a menu that opens, marks the page, follows a link and closes', async () => {
    const page = await signedInPage(cookies.sam, '/dashboard')
    await page.setViewportSize(PHONE)
    const menu = page.locator('[data-test="phone-menu"]')
    expect(await page.locator('[data-test="header-nav"]').isVisible()).toBe(false)
    expect(await menu.locator('nav').isVisible()).toBe(false)
    await page.click('[data-test="menu-button"]')
    expect(await menu.locator('nav').isVisible()).toBe(true)
    expect(await menu.locator('[aria-current="page"]').textContent()).toBe('Events')
    await checkPage(page, 'page-phone-menu', [PHONE])
    await menu.locator('a:has-text("API tokens")').click()
    await page.waitForURL(url('/dashboard/tokens'))
    await expect.poll(() => menu.locator('nav').isVisible()).toBe(false)
    expect(await menu.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false)
    await page.click('[data-test="menu-button"]')
    expect(await menu.locator('[aria-current="page"]').textContent()).toBe('API tokens')
    await page.click('[data-test="menu-button"]')
    expect(await menu.locator('nav').isVisible()).toBe(false)
    await page.close()

    // Without JavaScript the menu opens as well (it is a <details>).
    const plain = await createPage(undefined, { javaScriptEnabled: false, viewport: PHONE })
    const split = cookies.sam.indexOf('=')
    await plain.context().addCookies([{ name: cookies.sam.slice(0, split), value: cookies.sam.slice(split + 1), url: url('/') }])
    await plain.goto(url('/dashboard/mail'))
    await plain.click('[data-test="menu-button"]')
    expect(await plain.locator('[data-test="phone-menu"] [aria-current="page"]').textContent()).toBe('Rejected mail')
    await plain.close()
  })
})
