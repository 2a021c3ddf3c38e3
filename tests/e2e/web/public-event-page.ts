/**
 * An event's public page (/events/{publicId}), its `.ics`, and the embeddable button, on the
 * built app: organizers' text stays text, unlisted events are not indexed, cancelled and
 * unknown events say so, each add-to-calendar link carries the right parameters, the `.ics`
 * reads back in an independent parser (node-ical), and the button works on a page of another
 * site with third-party cookies blocked, its page the only one that may be framed.
 * Screenshots go to tests/artifacts/. Browser parts skip without Chromium.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { createPage, fetch, url } from '@nuxt/test-utils/e2e'
import { chromium, type Browser } from 'playwright-core'
import ical from 'node-ical'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity, OrganizerEntity } from '../../../server/aws/table'
import { ensurePublicId } from '../../../server/services/public-events'
import { signIn } from '../session'
import { artifacts, CHROMIUM, signedInPage } from './browser'
import { INVITE_REQUEST_MESSAGE } from '../../../server/services/invite-requests'

/** What node-ical gives for a VEVENT (its types do not say). */
type ParsedEvent = { uid: string; summary: string; start: Date; rrule?: { toString(): string }; exdate?: Record<string, Date>; recurrences?: Record<string, { start: Date }> }

const events = EventEntity.build(EntityRepository)
const suffix = randomUUID().slice(0, 8)
const year = new Date().getUTCFullYear() + 1
const domain = `page-${suffix}.example`
const organizer = `pia@${domain}`

const EVIL_SUMMARY = '<script>alert(1)</script> Launch'
const DESCRIPTION = [
  'Agenda: <b>bold</b> <img src=x onerror=alert(2)> <style>body{display:none}</style>',
  'Slides at https://example.org/slides and javascript:alert(3)',
  '________________________________________________',
  'Join Zoom Meeting',
  'https://us06web.zoom.us/j/85551234567?pwd=abc',
  '________________________________________________',
].join('\n')

const ids: Record<'timed' | 'allDay' | 'weekly' | 'cancelled' | 'past', string> = { timed: '', allDay: '', weekly: '', cancelled: '', past: '' }

async function publicEvent(name: keyof typeof ids, fields: Partial<Parameters<typeof events.put>[0]>) {
  const uid = `page-${name}-${suffix}@test`
  await events.put({ uid, organizerEmail: organizer, organizerName: 'Pia <i>Planner</i>', organizerDomain: domain, summary: name, start: `${year}-03-10T17:00:00Z`, dtstamp: '2026-01-01T00:00:00Z', ...fields })
  ids[name] = (await ensurePublicId(uid))!
  return uid
}

beforeAll(async () => {
  await OrganizerEntity.build(EntityRepository).update({ email: organizer, domain, name: 'Pia <i>Planner</i>' })
  await publicEvent('timed', {
    summary: EVIL_SUMMARY, description: DESCRIPTION, location: 'https://meet.google.com/abc-defg-hij', start: `${year}-03-10T17:00:00Z`, end: `${year}-03-10T18:30:00Z`, timezone: 'America/New_York',
  })
  await publicEvent('allDay', { summary: 'Offsite', start: `${year}-06-01`, end: `${year}-06-03`, allDay: true, listed: true, location: 'Lake house' })
  await publicEvent('weekly', {
    summary: 'Weekly sync', start: `${year}-03-02T09:00:00Z`, end: `${year}-03-02T10:00:00Z`, timezone: 'Europe/Berlin', tzid: 'Europe/Berlin', startLocal: `${year}-03-02T10:00:00`,
    rrule: 'FREQ=WEEKLY;COUNT=10', exdates: [`${year}-03-09T09:00:00Z`], listed: true,
  })
  await publicEvent('cancelled', { summary: 'Called off', status: 'CANCELLED', listed: true })
  await publicEvent('past', { summary: 'Last year', start: '2020-03-10T17:00:00Z', end: '2020-03-10T18:00:00Z' })
})

describe('public event page', () => {
  describe('served pages', () => {
    it('renders the organizer\'s text escaped and an unlisted event as noindex', { tags: ['security'] }, async () => {
      const response = await fetch(`/events/${ids.timed}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('x-robots-tag')).toBe('noindex')
      const html = await response.text()
      expect(html).toMatch(/<meta name="robots" content="noindex">/)
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Launch')
      expect(html).not.toContain('<script>alert(1)</script>')
      expect(html).not.toContain('<img src=x')
      expect(html).not.toContain('<b>bold</b>')
      expect(html).not.toContain('<style>body')
      expect(html).not.toContain('<i>Planner</i>')
      expect(html).not.toMatch(/href="javascript:/i)
    })

    it('lets a listed event be indexed', async () => {
      const response = await fetch(`/events/${ids.allDay}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('x-robots-tag')).toBeNull()
      expect(await response.text()).not.toMatch(/name="robots"/)
    })

    it('says a cancelled event was cancelled, without the form', async () => {
      const html = await (await fetch(`/events/${ids.cancelled}`)).text()
      expect(html).toContain('This event was cancelled.')
      expect(html).toContain('Invitations are no longer sent for a cancelled event.')
      expect(html).not.toContain('data-test="invite-request-form"')
    })

    it('says a past event is over, without the form', async () => {
      const html = await (await fetch(`/events/${ids.past}`)).text()
      expect(html).toContain('This event is over')
      expect(html).not.toContain('data-test="invite-request-form"')
    })

    it.each(['AAAAAAAAAAAAAAAA', 'not-an-id'])('answers 404 with a sentence for an address that is no event\'s (%s)', async (id) => {
      const response = await fetch(`/events/${id}`)
      expect(response.status).toBe(404)
      expect(await response.text()).toContain('There is no event at this address.')
    })
  })

  describe('.ics download', () => {
    it('is the whole series with the event\'s UID, METHOD:PUBLISH and nobody\'s address', async () => {
      const response = await fetch(`/events/${ids.weekly}/event.ics`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8')
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="Weekly-sync\.ics"/)
      const text = await response.text()
      expect(text).toMatch(/^METHOD:PUBLISH\r$/m)
      expect(text).not.toMatch(/^(ATTENDEE|ORGANIZER)[;:]/m)
      expect(text).not.toContain(organizer)
      // node-ical, not the server's reader, reads it back.
      const [event] = Object.values(ical.sync.parseICS(text)).filter((item) => item?.type === 'VEVENT') as unknown as ParsedEvent[]
      expect(event!.uid).toBe(`page-weekly-${suffix}@test`)
      expect(event!.start.toISOString()).toBe(`${year}-03-02T09:00:00.000Z`)
      expect(event!.rrule?.toString()).toContain('COUNT=10')
      expect([...new Set(Object.values(event!.exdate ?? {}).map((date) => date.toISOString()))]).toEqual([`${year}-03-09T09:00:00.000Z`])
      expect(text).toContain('BEGIN:VTIMEZONE')
    })

    it('answers 404 for an unknown event', async () => {
      expect((await fetch('/events/AAAAAAAAAAAAAAAA/event.ics')).status).toBe(404)
    })
  })

  describe('framing', () => {
    it('lets any site frame /embed/{publicId}, and the embed script be loaded by any site', async () => {
      const response = await fetch(`/embed/${ids.timed}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors \*/)
      expect(response.headers.get('x-frame-options')).toBeNull()
      const script = await fetch('/embed.js')
      expect(script.status).toBe(200)
      expect(script.headers.get('content-type')).toMatch(/javascript/)
      // The form shown on other sites is no page of its own for search engines.
      expect(await (await fetch('/robots.txt')).text()).toMatch(/^Disallow: \/embed\/$/m)
      // Other sites' pages load it: no resource policy may keep it same-origin.
      expect(script.headers.get('cross-origin-resource-policy')).not.toBe('same-origin')
    })

    it.each(['/events/PUBLIC_ID', '/', '/sign-in', '/dashboard'])('keeps %s unframable', async (path) => {
      const response = await fetch(path.replace('PUBLIC_ID', ids.timed), { redirect: 'manual' })
      expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/)
      expect(response.headers.get('x-frame-options')).toBe('DENY')
    })
  })
})

describe.skipIf(!existsSync(CHROMIUM))('public event page in a browser', () => {
  beforeAll(() => mkdirSync(artifacts, { recursive: true }))

  it.each([
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const)('shows the event on a %s without horizontal scrolling, the organizer\'s text as text', { tags: ['security'] }, async (name, viewport) => {
    const page = await createPage(undefined, { viewport, timezoneId: 'Europe/Berlin' })
    page.setDefaultTimeout(10_000)
    // Every Content-Security-Policy violation and hydration complaint, to find none.
    const complaints: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy|Hydration/i.test(message.text())) complaints.push(message.text())
    })
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await page.goto(url(`/events/${ids.timed}`), { waitUntil: 'hydration' })
    expect(await page.textContent('[data-test="summary"]')).toBe(EVIL_SUMMARY)
    const description = (await page.textContent('[data-test="description"]'))!
    expect(description).toContain('<b>bold</b> <img src=x onerror=alert(2)>')
    expect(description).toContain('javascript:alert(3)')
    expect(await page.locator('[data-test="description"] b, [data-test="description"] img, [data-test="description"] style, [data-test="description"] script').count()).toBe(0)
    // Only http(s) links, each marked as the organizer's.
    const links = await page.$$eval('[data-test="description"] a, [data-test="location"] a', (anchors) => anchors.map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel') })))
    expect(links).toEqual([
      { href: 'https://meet.google.com/abc-defg-hij', rel: 'noopener nofollow ugc' },
      { href: 'https://example.org/slides', rel: 'noopener nofollow ugc' },
      { href: 'https://us06web.zoom.us/j/85551234567?pwd=abc', rel: 'noopener nofollow ugc' },
    ])
    // The location's Meet link comes before the description's Zoom link.
    expect(await page.textContent('[data-test="join"]')).toBe('Join on Google Meet')
    expect(await page.getAttribute('[data-test="join"]', 'href')).toBe('https://meet.google.com/abc-defg-hij')
    // The visitor's zone (Berlin), with the event's own (New York) beside it.
    await expect.poll(() => page.textContent('[data-test="time-visitor"]')).toMatch(/6:00\s*–\s*7:30\sPM GMT\+1/)
    expect(await page.textContent('[data-test="time-event-zone"]')).toMatch(/12:00\s*–\s*1:30\sPM EST America\/New_York/)
    expect(await page.textContent('[data-test="status"]')).toBe('Confirmed')
    expect(await page.textContent('[data-test="organizer"]')).toContain('Pia <i>Planner</i>')
    expect(await page.getAttribute('[data-test="domain-page"]', 'href')).toMatch(new RegExp(`/domains/${domain.replace(/\./g, '\\.')}$`))
    expect(await page.getAttribute('[data-test="organizer-page"]', 'href')).toMatch(/\/organizers\/[A-Za-z0-9_-]{16}$/)
    expect(dialogs).toEqual([])
    expect(complaints).toEqual([])
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: `${artifacts}event-page-${name}.png`, fullPage: true })
    await page.close()
  })

  it('gives each add-to-calendar link the parameters of its calendar', async () => {
    const page = await createPage(undefined, { timezoneId: 'Asia/Tokyo' })
    page.setDefaultTimeout(10_000)
    await page.goto(url(`/events/${ids.timed}`), { waitUntil: 'hydration' })
    const href = (key: string) => page.getAttribute(`[data-test="calendar-${key}"]`, 'href').then((link) => new URL(link!, url('/')))
    const params = async (key: string) => Object.fromEntries((await href(key)).searchParams)
    expect((await href('google')).origin + (await href('google')).pathname).toBe('https://calendar.google.com/calendar/render')
    expect(await params('google')).toMatchObject({ action: 'TEMPLATE', text: EVIL_SUMMARY, dates: `${year}0310T170000Z/${year}0310T183000Z`, location: 'https://meet.google.com/abc-defg-hij' })
    expect((await params('google')).details).toContain(`/events/${ids.timed}`)
    for (const [key, host] of [['outlook', 'outlook.live.com'], ['office365', 'outlook.office.com']] as const) {
      expect((await href(key)).host + (await href(key)).pathname).toBe(`${host}/calendar/0/action/compose`)
      expect(await params(key)).toMatchObject({ subject: EVIL_SUMMARY, startdt: `${year}-03-10T17:00:00.000Z`, enddt: `${year}-03-10T18:30:00.000Z`, allday: 'false' })
    }
    // Yahoo shows the time given as the visitor's own: Tokyo, after hydration.
    await expect.poll(async () => (await params('yahoo')).st).toBe(`${year}0311T020000`)
    expect(await params('yahoo')).toMatchObject({ v: '60', title: EVIL_SUMMARY, et: `${year}0311T033000` })
    expect(await page.getAttribute('[data-test="calendar-ics"]', 'href')).toBe(`/events/${ids.timed}/event.ics`)
    expect(await page.locator('[data-test="one-occurrence"]').count()).toBe(0)
    await page.close()
  })

  it('keeps an address typed before the page\'s script ran, and sends it once hydrated', async () => {
    const page = await createPage()
    page.setDefaultTimeout(10_000)
    // Hold the app's scripts until the visitor has typed, as on a slow connection.
    let releaseScripts!: () => void
    const typed = new Promise<void>((resolve) => { releaseScripts = resolve })
    await page.route('**/_nuxt/**', async (route) => {
      await typed
      await route.continue()
    })
    const posted: unknown[] = []
    page.on('request', (request) => {
      if (request.url().endsWith(`/api/public/events/${ids.timed}/invite-requests`)) posted.push(request.postDataJSON())
    })
    // The server-rendered form is there before the deferred scripts, which hold up DOMContentLoaded.
    await page.goto(url(`/events/${ids.timed}`), { waitUntil: 'commit' })
    await page.locator('[data-test="invite-request-email"]').fill(`early-${suffix}@example.org`)
    releaseScripts()
    await page.waitForFunction(() => (window as unknown as { useNuxtApp?: () => { isHydrating: boolean } }).useNuxtApp?.().isHydrating === false)
    expect(await page.inputValue('[data-test="invite-request-email"]')).toBe(`early-${suffix}@example.org`)
    await page.click('[data-test="invite-request-submit"]')
    await expect.poll(() => page.textContent('[data-test="invite-request-answer"]')).toBe(INVITE_REQUEST_MESSAGE)
    expect(posted).toEqual([{ email: `early-${suffix}@example.org`, origin: 'landing-page' }])
    await page.close()
  })

  it('adds the next occurrence of a series, and an all-day event as dates', async () => {
    const page = await createPage(`/events/${ids.weekly}`)
    page.setDefaultTimeout(10_000)
    expect(await page.textContent('[data-test="one-occurrence"]')).toContain('the .ics file adds the whole series')
    expect(await page.locator('[data-test="occurrences"] li').count()).toBe(5)
    const google = new URL((await page.getAttribute('[data-test="calendar-google"]', 'href'))!)
    // The first occurrence (2 March); the 9th is an exception.
    expect(google.searchParams.get('dates')).toBe(`${year}0302T090000Z/${year}0302T100000Z`)
    expect(google.searchParams.has('recur')).toBe(false)
    await page.goto(url(`/events/${ids.allDay}`), { waitUntil: 'hydration' })
    const allDayGoogle = new URL((await page.getAttribute('[data-test="calendar-google"]', 'href'))!)
    expect(allDayGoogle.searchParams.get('dates')).toBe(`${year}0601/${year}0603`)
    expect(allDayGoogle.searchParams.has('ctz')).toBe(false)
    expect(Object.fromEntries(new URL((await page.getAttribute('[data-test="calendar-outlook"]', 'href'))!).searchParams)).toMatchObject({ startdt: `${year}-06-01`, enddt: `${year}-06-03`, allday: 'true' })
    expect(await page.textContent('[data-test="when"]')).toMatch(new RegExp(`Jun 1 – Wed, Jun 2, ${year}|Jun 1 – .*Jun 2, ${year}`))
    await page.screenshot({ path: `${artifacts}event-page-all-day.png`, fullPage: true })
    await page.close()
  })

  it('gives the organizer the snippets on the dashboard\'s event page, with copy buttons', async () => {
    const page = await signedInPage(await signIn(organizer), `/dashboard/events/${encodeURIComponent(`page-timed-${suffix}@test`)}`)
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url('/') })
    const script = (await page.textContent('[data-test="embed-script"]'))!
    expect(script).toMatch(new RegExp(`^<script src="https?://[^"]+/embed\\.js" async></script>\n<calendar-invite-button event="${ids.timed}"></calendar-invite-button>$`))
    expect(await page.textContent('[data-test="embed-frame"]')).toMatch(new RegExp(`^<iframe src="https?://[^"]+/embed/${ids.timed}" title="Send me the invite"`))
    await page.click('[data-test="copy-script"]')
    await expect.poll(() => page.textContent('[data-test="copy-script"]')).toMatch(/Copied/)
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(script)
    await page.screenshot({ path: `${artifacts}dashboard-embed-snippet.png`, fullPage: true })
    await page.close()
  })

  it('shows the cancelled notice in the browser', async () => {
    const page = await createPage(`/events/${ids.cancelled}`, { viewport: { width: 390, height: 844 } })
    expect(await page.textContent('[data-test="cancelled"]')).toContain('This event was cancelled.')
    expect(await page.locator('[data-test="invite-request-form"]').count()).toBe(0)
    await page.screenshot({ path: `${artifacts}event-page-cancelled.png`, fullPage: true })
    await page.close()
  })

  it('"Send me the invite" posts the address with origin landing-page and shows the server\'s answer or refusal', async () => {
    const page = await createPage(`/events/${ids.timed}`)
    page.setDefaultTimeout(10_000)
    expect(await page.textContent('label:has([data-test="invite-request-email"])')).toContain('Your email address')
    const posted: unknown[] = []
    page.on('request', (request) => {
      if (request.url().endsWith(`/api/public/events/${ids.timed}/invite-requests`)) posted.push(request.postDataJSON())
    })
    // An address the browser accepts and the server does not: the server's sentence is shown.
    await page.fill('[data-test="invite-request-email"]', 'visitor@localhost')
    await page.click('[data-test="invite-request-submit"]')
    await expect.poll(() => page.textContent('[data-test="invite-request-answer"]')).toBe('Give a valid email address.')
    expect(await page.getAttribute('[data-test="invite-request-answer"]', 'aria-live')).toBe('polite')
    await page.fill('[data-test="invite-request-email"]', `visitor-${suffix}@example.org`)
    await page.click('[data-test="invite-request-submit"]')
    await expect.poll(() => page.textContent('[data-test="invite-request-answer"]')).toBe(INVITE_REQUEST_MESSAGE)
    expect(posted).toEqual([{ email: 'visitor@localhost', origin: 'landing-page' }, { email: `visitor-${suffix}@example.org`, origin: 'landing-page' }])
    await page.close()
  })

  describe('the embeddable button on another site, third-party cookies blocked', () => {
    let host: Server | undefined
    let hostUrl = ''
    let browser: Browser | undefined

    /** The partner site (started on first use: the app's address is known once the suite runs) and a browser blocking third-party cookies. */
    async function partnerSite(): Promise<{ hostUrl: string; browser: Browser }> {
      if (host && browser) return { hostUrl, browser }
      const app = new URL(url('/'))
      // Another site, not only another port: cookies and storage are kept per site, so the frame is third-party.
      const otherHost = app.hostname === 'localhost' ? '127.0.0.1' : 'localhost'
      const pages: Record<string, string> = {
        '/button.html': [
          '<!doctype html><html><head><title>Partner site</title>',
          // The host page's own CSS, which must not reach into the button.
          '<style>button { background: rgb(255, 0, 0) !important; font-size: 40px; } iframe { border: 10px solid red; }</style></head><body>',
          '<h1>Partner site</h1>',
          `<script src="${url('/embed.js')}" async></script>`,
          `<calendar-invite-button event="${ids.timed}"></calendar-invite-button>`,
          '</body></html>',
        ].join('\n'),
        '/frames.html': `<!doctype html><html><body><iframe id="embed" src="${url(`/embed/${ids.timed}`)}"></iframe><iframe id="page" src="${url(`/events/${ids.timed}`)}"></iframe></body></html>`,
      }
      host = createServer((request, response) => {
        const body = pages[request.url ?? '']
        response.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(body ?? 'not found')
      })
      await new Promise<void>((resolve) => host!.listen(0, '127.0.0.1', resolve))
      hostUrl = `http://${otherHost}:${(host.address() as AddressInfo).port}`
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        // Chromium's switch for the third-party cookie phase-out: cross-site frames get no cookies.
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--test-third-party-cookie-phaseout'],
      })
      return { hostUrl, browser }
    }
    afterAll(async () => {
      await browser?.close()
      if (host) await new Promise((resolve) => host!.close(resolve))
    })

    it('opens the form in a dialog, styled on its own, and sends origin embed', async () => {
      const { hostUrl, browser } = await partnerSite()
      const context = await browser.newContext({ viewport: { width: 1000, height: 800 } })
      const page = await context.newPage()
      page.setDefaultTimeout(10_000)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      const posted: unknown[] = []
      context.on('request', (request) => {
        if (request.url().endsWith(`/api/public/events/${ids.timed}/invite-requests`)) posted.push(request.postDataJSON())
      })
      await page.goto(`${hostUrl}/button.html`)
      const button = page.locator('calendar-invite-button button.open')
      await button.waitFor()
      expect(await button.textContent()).toBe('Send me the invite')
      // The host's CSS does not reach the shadow root, and the script added none to the host.
      expect(await button.evaluate((element) => getComputedStyle(element).backgroundColor)).toBe('rgb(15, 23, 42)')
      expect(await page.evaluate(() => document.querySelectorAll('style').length)).toBe(1)
      await page.screenshot({ path: `${artifacts}embed-button.png` })
      await button.click()
      const frame = page.frameLocator('calendar-invite-button iframe')
      await frame.locator('[data-test="summary"]').waitFor()
      expect(await frame.locator('[data-test="summary"]').textContent()).toBe(EVIL_SUMMARY)
      // The frame is a third-party context with no cookie access, and works all the same.
      const embedFrame = page.frames().find((candidate) => candidate.url().includes('/embed/'))!
      expect(await embedFrame.evaluate(() => document.hasStorageAccess())).toBe(false)
      await embedFrame.waitForFunction(() => (window as unknown as { useNuxtApp?: () => { isHydrating: boolean } }).useNuxtApp?.().isHydrating === false)
      await frame.locator('[data-test="invite-request-email"]').fill(`embedded-${suffix}@example.org`)
      await frame.locator('[data-test="invite-request-submit"]').click()
      await expect.poll(() => frame.locator('[data-test="invite-request-answer"]').textContent()).toBe(INVITE_REQUEST_MESSAGE)
      expect(posted).toEqual([{ email: `embedded-${suffix}@example.org`, origin: 'embed' }])
      expect(errors).toEqual([])
      await page.screenshot({ path: `${artifacts}embed-dialog.png` })
      await context.close()
    })

    it('loads /embed/* in another site\'s frame and refuses the event page there', async () => {
      const { hostUrl, browser } = await partnerSite()
      const context = await browser.newContext()
      const page = await context.newPage()
      page.setDefaultTimeout(10_000)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(`${hostUrl}/frames.html`)
      await page.frameLocator('#embed').locator('[data-test="invite-request-form"]').waitFor()
      // Hydrated in the third-party frame, storage blocked, and still the form (not an error page).
      const embedded = page.frames().find((frame) => frame.url().includes('/embed/'))!
      await embedded.waitForFunction(() => (window as unknown as { useNuxtApp?: () => { isHydrating?: boolean } }).useNuxtApp?.().isHydrating === false)
      expect(await embedded.locator('[data-test="invite-request-form"]').count()).toBe(1)
      expect(errors).toEqual([])
      // The refused frame never gets the page: Chromium shows its error page instead.
      await expect.poll(async () => page.frames().find((frame) => frame.url().includes(`/events/${ids.timed}`) || frame.url().startsWith('chrome-error:'))?.url()).toBeDefined()
      const refused = page.frames().find((frame) => frame !== page.mainFrame() && !frame.url().includes('/embed/'))!
      expect(await refused.locator('[data-test="summary"]').count()).toBe(0)
      await context.close()
    })
  })
})
