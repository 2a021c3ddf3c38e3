/**
 * The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core,
 * see PLATFORM.md): an organizer's invite is mailed in, the organizer signs in through the
 * link caught in the local SES, sees the event, sends an invite (and sees the attendee at once)
 * and reads the report.
 * Screenshots go to tests/artifacts/ (not committed). Without Chromium the suite skips.
 */
import { describe, it, expect } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import PostalMime from 'postal-mime'
import { createPage, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue } from '../../integration/support'
import { loadInvitation } from '../../../server/services/invitations'

export const CHROMIUM = '/usr/bin/chromium'
export const artifacts = fileURLToPath(new URL('../../artifacts/', import.meta.url))

/** A browser page signed in with `cookie` (`name=value`, from ../session's signIn), at `path` once hydrated. */
export async function signedInPage(cookie: string, path: string): Promise<NuxtPage> {
  const page = await createPage()
  // Fail in seconds, not Playwright's 30: everything here answers at once.
  page.setDefaultTimeout(10_000)
  const split = cookie.indexOf('=')
  await page.context().addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url: url('/') }])
  await page.goto(url(path), { waitUntil: 'hydration' })
  return page
}

/** Goes to `path` inside the app (no page load), so the page's API calls run in the browser, where page.route reaches them. */
export async function navigate(page: NuxtPage, path: string): Promise<void> {
  type NuxtWindow = { useNuxtApp(): { $router: { push(to: string): Promise<unknown> }; _route: { fullPath: string } } }
  await page.evaluate((to) => (window as unknown as NuxtWindow).useNuxtApp().$router.push(to).then(() => undefined), path)
  await page.waitForFunction((to) => (window as unknown as NuxtWindow).useNuxtApp()._route.fullPath === to, path)
}

describe.skipIf(!existsSync(CHROMIUM))('dashboard in a browser (skipped without /usr/bin/chromium)', () => {
  const organizer = `olive-${randomUUID().slice(0, 8)}@browser.example`
  const uid = `browser-${randomUUID()}@test`

  it('signs in by mailed link, sees the mailed-in event, sends an invite and reads the report', async () => {
    mkdirSync(artifacts, { recursive: true })
    // The organizer's own calendar invites create@ (verified), as in production.
    const invite = imip(organizer, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T100000Z', 'DTSTART:20270310T170000Z', 'DTEND:20270310T180000Z',
      'SUMMARY:Browser launch <b>party</b>', `ORGANIZER;CN=Olive:mailto:${organizer}`, 'END:VEVENT',
    ])
    expect(await deliver('create', received(invite, organizer))).toMatchObject({ outcome: 'created' })

    const page = await createPage('/sign-in')
    const since = Date.now()
    await page.fill('input[type="email"]', organizer)
    await page.click('button[type="submit"]')
    await page.waitForSelector('[data-test="sent"]')
    await page.screenshot({ path: `${artifacts}1-sign-in.png` })

    const [mail] = await rawSentMail(since, organizer)
    const link = /^(http\S+\/sign-in\/verify\?token=\S+)$/m.exec((await PostalMime.parse(mail!.raw)).text ?? '')![1]!
    const target = new URL(link)
    await page.goto(url(target.pathname + target.search), { waitUntil: 'networkidle' })
    expect(new URL(page.url()).pathname).toBe('/dashboard')
    await page.waitForSelector(`text=Browser launch <b>party</b>`)
    await page.screenshot({ path: `${artifacts}2-dashboard.png`, fullPage: true })

    await page.click(`text=Browser launch <b>party</b>`)
    await page.waitForSelector('[data-test="invite-form"]')
    await page.fill('[data-test="invite-form"] input[type="email"]', 'browser-guest@example.org')
    await page.fill('[data-test="invite-form"] input[type="text"]', 'Guest in a Browser')
    await page.click('[data-test="invite-form"] button[type="submit"]')
    await expect.poll(async () => page.textContent('[data-test="invite-answer"]').catch(() => null)).toMatch(/queued/)
    expect(await loadInvitation(uid, 'browser-guest@example.org')).toMatchObject({ origin: 'dashboard', name: 'Guest in a Browser' })
    // Without a reload, the page reads the event and its lists again: the count, the answers, the attendee and the invitation.
    await expect.poll(() => page.textContent('[data-test="attendee-count"]')).toBe('1')
    expect(await page.textContent('[data-test="answer-No answer"]')).toMatch(/No answer\s*1\s*100%$/)
    expect(await page.textContent('[data-test="bar-dashboard"]')).toMatch(/dashboard\s*1$/)
    const row = page.locator('[data-test="attendee-row"][data-email="browser-guest@example.org"]')
    expect(await row.locator('[data-test="attendee-name"]').textContent()).toBe('Guest in a Browser')
    expect(await page.textContent('[data-test="invitations"]')).toContain('browser-guest@example.org')
    await page.screenshot({ path: `${artifacts}3-event.png`, fullPage: true })

    // The report the Download CSV link serves, fetched with the page's session.
    const href = await page.getAttribute('[data-test="csv"]', 'href')
    const csv = await (await page.request.get(url(href!))).text()
    expect(csv).toMatch(/^email,/)
    expect(csv).toContain('browser-guest@example.org')

    // "Email me the report": queued for the send worker, which mails the CSV to the organizer.
    const reportAsked = Date.now()
    await page.click('[data-test="email-report"]')
    await expect.poll(async () => page.textContent('[data-test="report-answer"]').catch(() => null)).toBe(`The report is on its way to ${organizer}.`)
    await runSendQueue()
    const reports = await Promise.all((await rawSentMail(reportAsked, organizer)).map((sent) => PostalMime.parse(sent.raw)))
    const attachment = reports.flatMap((report) => report.attachments).find((file) => file.filename?.endsWith('.csv'))
    expect(attachment, 'a CSV attachment mailed to the organizer').toBeDefined()
    expect(new TextDecoder().decode(attachment!.content as ArrayBuffer)).toContain('browser-guest@example.org')
    await page.close()
  }, 120_000)
})
