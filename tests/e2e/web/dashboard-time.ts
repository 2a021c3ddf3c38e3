/**
 * The dashboard's times and event pages as organizers read them, in headless Chromium: times
 * in the viewer's zone (the browser's, or one chosen with the picker and remembered by a
 * cookie, so the server renders in it too) with the event's own zone beside them; all-day
 * events as dates; a series' rule in words and next occurrences; a Meet description as text
 * with a "Join" link; cancelled and past events that say why no invitation can be sent; and an
 * owner looking at an organizer's event, with no form they cannot use and the way back to
 * that organizer's list. Screenshots (checkPage) go to tests/artifacts/.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createPage, fetch, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity, MailLogEntity } from '../../../server/aws/table'
import { setOwner } from '../../../server/services/owners'
import { signIn } from '../session'
import { CHROMIUM } from './browser'
import { checkPage } from './page-checks'

const events = EventEntity.build(EntityRepository)
const mailLog = MailLogEntity.build(EntityRepository)
// Intl spaces times with narrow and thin no-break spaces; the tests read plain spaces.
const plain = (text: string | null) => (text ?? '').replace(/[\u202f\u2009\u00a0]/g, ' ').replace(/\s+/g, ' ').trim()

describe.skipIf(!existsSync(CHROMIUM))('dashboard times and events (viewer zone, series, descriptions, cancelled, past, owner view)', () => {
  const run = randomUUID().slice(0, 8)
  const domain = `time-${run}.example`
  const tina = `tina@${domain}`
  const owen = `owen-${run}@owners-time.example`
  const uid = (name: string) => `${name}-${run}@test`
  const cookies = { tina: '', owen: '' }
  const eventPath = (name: string) => `/dashboard/events/${encodeURIComponent(uid(name))}`
  const meet = [
    'Quarterly planning <b>with numbers</b>. Agenda: https://example.org/agenda',
    '',
    '-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-',
    'Join with Google Meet: https://meet.google.com/abc-defg-hij',
    'Or dial: (US) +1 555-555-0100 PIN: 123456789#',
    'More phone numbers: https://tel.meet/abc-defg-hij?pin=123456789',
    '',
    'Please do not edit this section.',
    '-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-',
  ].join('\n')

  beforeAll(async () => {
    const base = { organizerEmail: tina, organizerName: 'Tina', organizerDomain: domain, dtstamp: '2030-01-01T00:00:00Z' }
    await Promise.all([
      // Tuesday 11 January 2033, 3–4 PM in Paris: 9–10 AM in New York, 2–3 PM in London.
      events.put({ ...base, uid: uid('paris'), summary: `Paris review ${run}`, start: '2033-01-11T14:00:00Z', end: '2033-01-11T15:00:00Z', timezone: 'Europe/Paris', location: 'Salle 4' }),
      events.put({ ...base, uid: uid('allday'), summary: `Offsite ${run}`, start: '2033-02-14', end: '2033-02-16', allDay: true, timezone: 'Europe/Paris' }),
      // Every Tuesday at 9 AM in New York since January 2026: its next occurrences are always ahead.
      events.put({ ...base, uid: uid('weekly'), summary: `Weekly sync ${run}`, start: '2026-01-06T14:00:00Z', end: '2026-01-06T14:30:00Z', timezone: 'America/New_York', rrule: 'FREQ=WEEKLY;BYDAY=TU' }),
      events.put({ ...base, uid: uid('meet'), summary: `Planning call ${run}`, start: '2033-03-01T16:00:00Z', end: '2033-03-01T17:00:00Z', timezone: 'Europe/Paris', description: meet }),
      events.put({ ...base, uid: uid('called-off'), summary: `Called off ${run}`, start: '2033-04-01T16:00:00Z', end: '2033-04-01T17:00:00Z', timezone: 'Europe/Paris', status: 'CANCELLED' }),
      events.put({ ...base, uid: uid('past'), summary: `Last spring ${run}`, start: '2025-05-01T10:00:00Z', end: '2025-05-01T11:00:00Z', timezone: 'Europe/Paris' }),
      mailLog.put({ key: `time-rejected-${run}`, mailbox: 'create', sender: tina, subject: `Unverified ${run}`, receivedAt: '2030-01-02T15:00:00Z', outcome: 'rejected', reason: 'The sender could not be verified (no SPF or DKIM pass).' }),
      // Owen owns Tina's domain: he may look at her events, not send for them.
      setOwner(owen, { systemOwner: false, domains: [domain] }, 'tests'),
    ])
  })

  /** A signed-in page in a browser whose own zone is `timezoneId`, hydrated at `path`. */
  async function pageIn(cookie: string, path: string, timezoneId = 'America/New_York'): Promise<NuxtPage> {
    const page = await createPage(undefined, { timezoneId })
    page.setDefaultTimeout(10_000)
    const split = cookie.indexOf('=')
    await page.context().addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url: url('/') }])
    await page.goto(url(path), { waitUntil: 'hydration' })
    return page
  }
  const shown = async (page: NuxtPage, scope = '[data-test="when"]') => plain(await page.textContent(`${scope} [data-test="time-shown"]`))
  const besideIt = async (page: NuxtPage, scope = '[data-test="when"]') => {
    const beside = page.locator(`${scope} [data-test="time-event-zone"]`)
    return (await beside.count()) ? plain(await beside.first().textContent()) : null
  }
  /** The server's HTML of `path` for these cookies (no browser: what the first paint shows). */
  const serverHtml = async (path: string, cookie: string) => (await fetch(path, { headers: { cookie } })).text()

  it('signs the organizer and the domain owner in', async () => {
    cookies.tina = await signIn(tina)
    cookies.owen = await signIn(owen)
  })

  it('shows a Paris event in the New York browser\'s zone, Paris beside it, the day named once', async () => {
    const page = await pageIn(cookies.tina, eventPath('paris'))
    await expect.poll(() => shown(page)).toBe('Tue, Jan 11, 2033, 9:00 – 10:00 AM EST')
    expect(await besideIt(page)).toBe('(3:00 – 4:00 PM in Europe/Paris)')
    // The picker says which zone that is.
    expect(plain(await page.textContent('[data-test="zone-picker"] option:checked'))).toBe("Your browser's zone (America/New York)")
    await checkPage(page, 'event-paris')
    await page.close()
  })

  it('without a chosen zone the server renders in the event\'s own zone; once chosen, in that one', async () => {
    expect(plain(await serverHtml(eventPath('paris'), cookies.tina))).toMatch(/data-test="time-shown"[^>]*>Tue, Jan 11, 2033, 3:00 – 4:00 PM GMT\+1</)

    const page = await pageIn(cookies.tina, eventPath('paris'))
    await page.selectOption('[data-test="zone-picker"]', 'Europe/London')
    await expect.poll(() => shown(page)).toBe('Tue, Jan 11, 2033, 2:00 – 3:00 PM GMT')
    expect(await besideIt(page)).toBe('(3:00 – 4:00 PM in Europe/Paris)')
    // Remembered: after a reload, and on the events list.
    await page.goto(page.url(), { waitUntil: 'hydration' })
    expect(await shown(page)).toBe('Tue, Jan 11, 2033, 2:00 – 3:00 PM GMT')
    expect(await page.inputValue('[data-test="zone-picker"]')).toBe('Europe/London')
    const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'viewer-zone')
    expect(decodeURIComponent(cookie!.value)).toBe('Europe/London')
    // The server renders in it too, so the first paint is already right.
    expect(plain(await serverHtml(eventPath('paris'), `${cookies.tina}; viewer-zone=${cookie!.value}`))).toMatch(/data-test="time-shown"[^>]*>Tue, Jan 11, 2033, 2:00 – 3:00 PM GMT</)

    // Back to following the browser: New York again.
    await page.selectOption('[data-test="zone-picker"]', '')
    await expect.poll(() => shown(page)).toBe('Tue, Jan 11, 2033, 9:00 – 10:00 AM EST')
    expect((await page.context().cookies()).filter((c) => c.name === 'viewer-zone')).toEqual([])
    await page.close()
  })

  it('lists upcoming events in the viewer\'s zone, all-day ones as dates', async () => {
    const page = await pageIn(cookies.tina, '/dashboard')
    const item = (name: string) => `[data-test="events"] li:has-text("${name} ${run}")`
    await expect.poll(() => shown(page, item('Paris review'))).toBe('Tue, Jan 11, 2033, 9:00 – 10:00 AM EST')
    expect(await besideIt(page, item('Paris review'))).toBe('(3:00 – 4:00 PM in Europe/Paris)')
    // Two days, the last one included, the same in every zone: nothing beside it.
    expect(await shown(page, item('Offsite'))).toBe('Mon, Feb 14 – Tue, Feb 15, 2033')
    expect(await besideIt(page, item('Offsite'))).toBeNull()
    await checkPage(page, 'events-list')
    await page.close()
  })

  it('shows when rejected mail arrived in the viewer\'s zone', async () => {
    const page = await pageIn(cookies.tina, '/dashboard/mail')
    const item = page.locator(`[data-test="rejected"] li:has-text("Unverified ${run}")`)
    await expect.poll(async () => plain(await item.locator('time').textContent())).toBe('Wed, Jan 2, 2030, 10:00 AM EST')
    await page.close()
  })

  it('shows an all-day event as its dates', async () => {
    const page = await pageIn(cookies.tina, eventPath('allday'), 'Pacific/Kiritimati')
    expect(await shown(page)).toBe('Mon, Feb 14 – Tue, Feb 15, 2033')
    expect(await besideIt(page)).toBeNull()
    await page.close()
  })

  it('shows a series\' rule in words and its next occurrences', async () => {
    const page = await pageIn(cookies.tina, eventPath('weekly'))
    expect(plain(await page.textContent('[data-test="repeats"]'))).toBe('Every week on Tuesday')
    const next = page.locator('[data-test="occurrences"] li')
    expect(await next.count()).toBe(5)
    const texts = (await next.allTextContents()).map(plain)
    for (const text of texts) expect(text).toMatch(/^Tue, .*, 9:00 – 9:30 AM EST$|^Tue, .*, 9:00 – 9:30 AM EDT$/)
    // Soonest first, each after now.
    const starts = await next.locator('time').evaluateAll((times) => times.map((time) => time.getAttribute('datetime') ?? ''))
    expect([...starts].sort()).toEqual(starts)
    expect(Date.parse(starts[0]!)).toBeGreaterThan(Date.now() - 86_400_000)
    await checkPage(page, 'event-recurring')
    await page.close()
  })

  it('shows a Meet description as text with links, its call block tidied into a "Join" link', async () => {
    const page = await pageIn(cookies.tina, eventPath('meet'))
    expect(await page.getAttribute('[data-test="join"]', 'href')).toBe('https://meet.google.com/abc-defg-hij')
    expect(plain(await page.textContent('[data-test="join"]'))).toBe('Join on Google Meet')
    const description = plain(await page.textContent('[data-test="description"]'))
    expect(description).toBe('Quarterly planning <b>with numbers</b>. Agenda: https://example.org/agenda')
    // The organizer's markup is text, their link a link.
    expect(await page.locator('[data-test="description"] b').count()).toBe(0)
    expect(await page.getAttribute('[data-test="description"] a', 'href')).toBe('https://example.org/agenda')
    await page.close()
  })

  it('marks a cancelled event on its list and its page, and says why no invitation can be sent', async () => {
    const list = await pageIn(cookies.tina, '/dashboard?view=cancelled')
    const item = list.locator(`[data-test="event-cancelled"]:has-text("Called off ${run}")`)
    expect(plain(await item.locator('[data-test="cancelled-badge"]').textContent())).toBe('Cancelled')
    expect(await item.locator('.line-through').count()).toBe(1)
    await checkPage(list, 'events-list-cancelled')
    await list.close()

    const page = await pageIn(cookies.tina, eventPath('called-off'))
    expect(plain(await page.textContent('[data-test="cancelled-badge"]'))).toBe('Cancelled')
    expect(await page.locator('[data-test="cancelled"]').count()).toBe(1)
    expect(await page.locator('[data-test="invite-form"]').count()).toBe(0)
    expect(plain(await page.textContent('[data-test="invite-closed"]'))).toBe('This event is cancelled, so no invitations are sent for it.')
    await checkPage(page, 'event-cancelled')
    await page.close()
  })

  it('says a past event is over instead of offering the invite form', async () => {
    const page = await pageIn(cookies.tina, eventPath('past'))
    expect(plain(await page.textContent('[data-test="past-badge"]'))).toBe('Over')
    expect(await page.locator('[data-test="invite-form"]').count()).toBe(0)
    expect(plain(await page.textContent('[data-test="invite-closed"]'))).toBe('This event is over, so no invitations are sent for it.')
    await checkPage(page, 'event-past')
    await page.close()
  })

  it('shows an owner an organizer\'s event without the forms only the organizer may use, and goes back to that organizer\'s list', async () => {
    const page = await pageIn(cookies.owen, eventPath('paris'))
    expect(await page.locator('[data-test="invite-form"]').count()).toBe(0)
    expect(await page.locator('[data-test="listed-toggle"]').count()).toBe(0)
    expect(plain(await page.textContent('[data-test="invite-closed"]'))).toBe(`Only the event's organizer, ${tina}, sends invitations for it.`)
    // What the API refuses him, checked: sending an invite answers 404 as for anyone else's event.
    const refused = await fetch(`/api/events/${encodeURIComponent(uid('paris'))}/invites`, {
      method: 'POST', headers: { cookie: cookies.owen, 'content-type': 'application/json', origin: url('/').replace(/\/$/, '') }, body: JSON.stringify({ email: 'guest@example.org' }),
    })
    expect(refused.status).toBe(404)
    await checkPage(page, 'event-owner-view')

    expect(plain(await page.textContent('[data-test="back"]'))).toBe(`← Events of ${tina}`)
    await page.click('[data-test="back"]')
    await page.waitForURL((address) => address.pathname === '/dashboard' && address.searchParams.get('organizer') === tina)
    await expect.poll(() => page.textContent('h1')).toBe(`Events of ${tina}`)
    expect(await page.locator(`[data-test="events"] li:has-text("Paris review ${run}")`).count()).toBe(1)
    await page.close()
  })
})
