/**
 * The public listing pages on the built app: the site's upcoming events at `/`, an
 * organizer's and a domain's pages, server-rendered and searchable without JavaScript (a GET
 * form), grouped by day (in UTC on the server, in the browser's zone once it runs), each
 * event linking to its public page; readable at 390 px without horizontal scrolling, with
 * no serious accessibility problem (axe-core); cacheable by a CDN, except for a caller with
 * credentials. Screenshots go to tests/artifacts/ (not committed). Without Chromium the
 * browser parts skip.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { randomUUID } from 'node:crypto'
import { $fetch, createPage, fetch, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity, OrganizerEntity, PublicIdEntity } from '../../../server/aws/table'
import { createApiToken } from '../../../server/services/api-tokens'
import { newPublicId } from '../../../server/services/event-store'
import { ensureOrganizerPublicId } from '../../../server/services/public-events'
import { PUBLIC_CACHE_CONTROL } from '../../../server/utils/public-cache-control'
import { PUBLIC_CACHE_SECONDS } from '../../../server/services/public-cache'
import { signIn } from '../session'
import { artifacts, CHROMIUM } from './browser'
import { config } from '../../../server/config'

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const events = EventEntity.build(EntityRepository)
const run = randomUUID().slice(0, 8)
const domain = `listing-${run}.example`
const organizer = `lena@${domain}`
// The server remembers lists for PUBLIC_CACHE_SECONDS: another suite may have read them just before these events existed.
const within = { timeout: (PUBLIC_CACHE_SECONDS + 5) * 1000, interval: 500 }
const day = 86_400_000
const at = (days: number, hour: number) => new Date(Math.floor(Date.now() / day) * day + days * day + hour * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z')

async function stored(summary: string, start: string, more: Partial<Parameters<typeof events.put>[0]> = {}) {
  const uid = `listing-${randomUUID()}@test`
  const publicId = newPublicId()
  await events.put({ uid, organizerEmail: organizer, organizerDomain: domain, organizerName: 'Lena Lister', summary, start, dtstamp: '2026-01-01T00:00:00Z', listed: true, publicId, ...more })
  await PublicIdEntity.build(EntityRepository).put({ publicId, eventUid: uid })
  return publicId
}

/** Serious or critical axe-core findings on the page as it is now. */
async function accessibilityProblems(page: NuxtPage): Promise<string[]> {
  await page.addScriptTag({ path: axeSource })
  type Axe = { run(): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> }
  const { violations } = await page.evaluate(() => (window as unknown as { axe: Axe }).axe.run())
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`)
}

describe('public listing pages', () => {
  let organizerPublicId = ''
  let jazzId = ''
  const jazz = `Jazz night ${run}`
  const fair = `Spring fair ${run}`
  const club = `Book club ${run}`
  // A long word must wrap on a phone rather than widen the page.
  const long = `Internationalisation${'workshop'.repeat(6)} ${run}`

  beforeAll(async () => {
    await OrganizerEntity.build(EntityRepository).put({ email: organizer, domain, name: 'Lena Lister' })
    organizerPublicId = (await ensureOrganizerPublicId(organizer))!
    jazzId = await stored(jazz, at(3, 23), { end: at(4, 1), location: 'Café Müller, Hauptstraße 1, Berlin', timezone: 'Europe/Berlin' })
    await stored(fair, at(5, 0).slice(0, 10), { end: at(6, 0).slice(0, 10), allDay: true })
    // Weekly since 2021: only its next occurrence is listed.
    await stored(club, '2021-01-05T18:00:00Z', { end: '2021-01-05T19:00:00Z', rrule: 'FREQ=WEEKLY;BYDAY=TU' })
    await stored(long, at(7, 10), { location: 'Room 1' })
    await stored(`Private ${run}`, at(3, 12), { listed: false })
    await stored(`Called off ${run}`, at(3, 13), { status: 'CANCELLED' })
  })

  it('renders the lists on the server: listed events by day, linked by public id, searchable, indexable', async () => {
    await expect.poll(async () => $fetch<string>(`/?q=${run}`), within).toContain(jazz)
    const html = await $fetch<string>(`/?q=${run}`)
    expect(html).toContain(`href="/events/${jazzId}"`)
    expect(html).toContain(fair)
    expect(html).toContain(club)
    expect(html).toMatch(/Next occurrence; repeats every week on Tuesday/)
    expect(html).not.toContain(`Private ${run}`)
    expect(html).not.toContain(`Called off ${run}`)
    expect(html).toContain('Times in UTC.')
    expect(html).toMatch(/<meta name="robots" content="index, follow">/)
    expect(html).not.toContain(organizer)
    // The search narrows; a search with no match says so.
    const searched = await $fetch<string>(`/?q=${encodeURIComponent(`cafe muller`)}`)
    expect(searched).toContain(jazz)
    expect(searched).not.toContain(fair)
    expect(await $fetch<string>(`/?q=nothing-${run}`)).toContain(`No upcoming events match “nothing-${run}”.`)

    await expect.poll(async () => $fetch<string>(`/organizers/${organizerPublicId}`), within).toContain(jazz)
    const organizerPage = await $fetch<string>(`/organizers/${organizerPublicId}`)
    expect(organizerPage).toContain('Events by Lena Lister')
    expect(organizerPage).toContain(`href="/domains/${domain}"`)
    expect(organizerPage).not.toContain(organizer)
    await expect.poll(async () => $fetch<string>(`/domains/${domain}?q=fair`), within).toContain(fair)
    expect(await $fetch<string>(`/domains/${domain}?q=fair`)).not.toContain(jazz)
  })

  it('answers an unknown organizer or domain with a 404 page and a sentence, not indexed', async () => {
    const unknownOrganizer = await fetch('/organizers/AAAAAAAAAAAAAAAA')
    expect(unknownOrganizer.status).toBe(404)
    const organizerHtml = await unknownOrganizer.text()
    expect(organizerHtml).toContain('There is no organizer at this address.')
    expect(organizerHtml).toMatch(/<meta name="robots" content="noindex">/)
    expect(unknownOrganizer.headers.get('cache-control')).toBe('no-store')
    const unknownDomain = await fetch(`/domains/nobody-${run}.example`)
    expect(unknownDomain.status).toBe(404)
    expect(await unknownDomain.text()).toContain(`No organizer here has an address at nobody-${run}.example.`)
    const api = await fetch(`/api/public/domains/nobody-${run}.example/events`)
    expect(api.status).toBe(404)
    expect(api.headers.get('cache-control')).toMatch(/^no-(store|cache)$/)
  })

  it('links the organizer and domain pages to their calendar feeds (webcal://), which serve a calendar', async () => {
    for (const path of [`/organizers/${organizerPublicId}`, `/domains/${domain}`]) {
      const html = await (await fetch(path)).text()
      const webcal = /href="(webcal:\/\/[^"]+\/events\.ics)"/.exec(html)?.[1]
      expect(webcal, path).toBe(`webcal://${new URL(config().siteUrl).host}${path}/events.ics`)
      const feed = await fetch(`${path}/events.ics`)
      expect(feed.status, path).toBe(200)
      expect(feed.headers.get('content-type'), path).toMatch(/^text\/calendar/)
      expect(await feed.text(), path).toContain('BEGIN:VCALENDAR')
    }
  })

  it('lets a CDN keep public pages and answers, but not what a caller with credentials sees', async () => {
    for (const path of ['/', `/organizers/${organizerPublicId}`, `/domains/${domain}`, '/api/events/upcoming', `/api/public/organizers/${organizerPublicId}/events`, `/api/public/domains/${domain}/events`]) {
      const response = await fetch(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('cache-control'), path).toBe(PUBLIC_CACHE_CONTROL)
    }
    expect(PUBLIC_CACHE_CONTROL).toMatch(/^public, max-age=\d+, s-maxage=\d+, stale-while-revalidate=\d+$/)
    const { token } = await createApiToken(organizer, 'listing')
    const withToken = await fetch('/api/events/upcoming', { headers: { authorization: `Bearer ${token}` } })
    expect(withToken.headers.get('cache-control')).toBe('no-store')
    const cookie = await signIn(organizer)
    for (const path of ['/', `/organizers/${organizerPublicId}`, `/domains/${domain}`]) {
      const withSession = await fetch(path, { headers: { cookie } })
      expect(withSession.status, path).toBe(200)
      expect(withSession.headers.get('cache-control'), path).toBe('no-store')
    }
  })

  describe.skipIf(!existsSync(CHROMIUM))('in a browser', () => {
    beforeAll(() => mkdirSync(artifacts, { recursive: true }))

    it('searches with JavaScript off: the form is a GET the server answers', async () => {
      const page = await createPage(undefined, { javaScriptEnabled: false })
      page.setDefaultTimeout(10_000)
      await page.goto(url(`/domains/${domain}`))
      await page.fill('input[name="q"]', 'JAZZ')
      await Promise.all([page.waitForURL(/\?q=JAZZ$/), page.press('input[name="q"]', 'Enter')])
      expect(new URL(page.url()).pathname).toBe(`/domains/${domain}`)
      const listed = await page.locator('[data-test="listed-event"]').allTextContents()
      expect(listed).toHaveLength(1)
      expect(listed[0]).toContain(jazz)
      expect(await page.textContent('[data-test="zone"]')).toBe('Times in UTC.')
      await page.screenshot({ path: `${artifacts}listing-no-js-search.png`, fullPage: true })
      await page.close()
    })

    for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      it(`shows the site, organizer and domain pages at ${label} width in the browser's zone, accessible, without horizontal scrolling`, async () => {
        // Tokyo is 9 hours ahead of UTC: the 23:00 UTC jazz night is on the next day there.
        const page = await createPage(undefined, { viewport, timezoneId: 'Asia/Tokyo', bypassCSP: true })
        page.setDefaultTimeout(10_000)
        for (const [name, path] of [['site', `/?q=${run}`], ['organizer', `/organizers/${organizerPublicId}`], ['domain', `/domains/${domain}`]] as const) {
          await page.goto(url(path), { waitUntil: 'hydration' })
          await expect.poll(() => page.textContent('[data-test="zone"]')).toBe('Times in Asia/Tokyo.')
          const jazzDay = new Date(new Date(at(3, 23)).getTime() + 9 * 3_600_000).toISOString().slice(0, 10)
          expect(await page.locator(`[data-day="${jazzDay}"]`).textContent()).toContain(jazz)
          expect(await page.locator('[data-test="own-zone"]').first().textContent()).toMatch(/in Europe\/Berlin\)/)
          expect(await page.getAttribute(`a:has-text("${jazz}")`, 'href')).toBe(`/events/${jazzId}`)
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width)
          await page.screenshot({ path: `${artifacts}listing-${name}-${label}.png`, fullPage: true })
          expect(await accessibilityProblems(page), `${name} at ${label}`).toEqual([])
        }
        await page.close()
      }, 60_000)
    }
  })
})
