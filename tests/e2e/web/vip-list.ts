/**
 * The VIP list in headless Chromium: the organizer uploads a CSV from the event's dashboard
 * page (the browser PUTs it straight to the local S3 at a presigned URL, under the page's
 * Content-Security-Policy), sees the preview (counts, every row not invited, the CSV of
 * them), types YES, watches the progress until every invitation is sent, and after a reload
 * finds the list with its figures; the invitations arrive in the SES stand-in. Also pasted
 * addresses, a file that is no list, and no list form for an event that is over or for an
 * owner looking at someone else's event. The send
 * worker (which also reads lists) is run by the test, as the attendee journey does.
 * Screenshots: tests/artifacts/vip-*.png (desktop, and -390 at a phone's width).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue } from '../../integration/support'
import { setOwner } from '../../../server/services/owners'
import { signIn } from '../session'
import { artifacts, CHROMIUM, signedInPage } from './browser'

const run = randomUUID().slice(0, 8)
const organizer = `vera-${run}@vip.example`
const uid = `vip-${run}@test`
const pastUid = `vip-past-${run}@test`
const guest = (name: string) => `${name}-${run}@guests.example`
const DESKTOP = { width: 1280, height: 900 }
const PHONE = { width: 390, height: 844 }

/** The organizer's own calendar invites create@ (verified), as in production. */
async function mailInEvent(eventUid: string, summary: string, start: string, end: string) {
  const invite = imip(organizer, mailbox('create'), 'REQUEST', [
    'BEGIN:VEVENT', `UID:${eventUid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T100000Z', `DTSTART:${start}`, `DTEND:${end}`,
    `SUMMARY:${summary}`, `ORGANIZER;CN=Vera Organizer:mailto:${organizer}`, 'END:VEVENT',
  ])
  expect(await deliver('create', received(invite, organizer))).toMatchObject({ outcome: 'created' })
}

/** The event page, signed in, recording Content-Security-Policy violations. */
async function eventPage(cookie: string, eventUid = uid): Promise<{ page: NuxtPage; violations: () => Promise<string[]> }> {
  const page = await signedInPage(cookie, '/dashboard')
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(window as unknown as { __violations: string[] }).__violations = seen
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`))
  })
  await page.setViewportSize(DESKTOP)
  await page.goto(url(`/dashboard/events/${encodeURIComponent(eventUid)}`), { waitUntil: 'hydration' })
  return { page, violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations) }
}

/** A full-page screenshot at desktop width and one at 390 px, which must not scroll sideways. */
async function screenshots(page: NuxtPage, name: string) {
  await page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true })
  await page.setViewportSize(PHONE)
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at 390 px`).toBeLessThanOrEqual(PHONE.width)
  await page.screenshot({ path: `${artifacts}${name}-390.png`, fullPage: true })
  await page.setViewportSize(DESKTOP)
}

const text = (page: NuxtPage, selector: string) => page.textContent(selector).catch(() => null)

/** The form for a new list: a list still waiting for YES (an earlier test's) is set aside first, as the organizer would. */
async function newListForm(page: NuxtPage) {
  // Once the event's lists are read, an unfinished one may be open in place of the form.
  await page.waitForSelector('[data-test="list-start-over"], [data-test="list-file-form"]')
  if (await page.isVisible('[data-test="list-start-over"]')) await page.click('[data-test="list-start-over"]')
  await page.waitForSelector('[data-test="list-file-form"]')
}

describe.skipIf(!existsSync(CHROMIUM))('the VIP list in the dashboard', () => {
  let session: Promise<string> | undefined
  const signedIn = () => (session ??= signIn(organizer))

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    await mailInEvent(uid, 'VIP dinner', '20310310T170000Z', '20310310T190000Z')
    await mailInEvent(pastUid, 'Last year’s dinner', '20200310T170000Z', '20200310T190000Z')
  })

  it('uploads a CSV straight to S3, previews it, sends after YES, shows the progress, and keeps the list after a reload', async () => {
    const { page, violations } = await eventPage(await signedIn())
    const csv = [
      'email,name',
      `${guest('ann')},Ann`,
      `${guest('bob')},Bob`,
      'not-an-address,Nobody',
      `${guest('ANN')},Ann again`,
      `${guest('carl')},"=HYPERLINK(""x"")"`,
      '"=HYPERLINK(""x"")",Formula',
    ].join('\n')
    await page.setInputFiles('[data-test="list-file"]', { name: 'vip-guests.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}\n`) })
    await page.click('[data-test="list-upload"]')
    // Uploaded and checking: the worker reads the file.
    await expect.poll(() => text(page, '[data-test="list-checking"]')).toMatch(/Checking vip-guests\.csv/)
    await runSendQueue()

    await page.waitForSelector('[data-test="list-preview"]')
    const count = (key: string) => text(page, `[data-test="list-count-${key}"] dd`)
    expect([await count('rows'), await count('valid'), await count('invalid'), await count('duplicates')]).toEqual(['6', '3', '2', '1'])
    const rejected = page.locator('[data-test="list-rejected"] tbody tr')
    await expect.poll(() => rejected.count()).toBe(3)
    expect(await rejected.evaluateAll((rows) => rows.map((row) => [...(row as HTMLTableRowElement).cells].map((cell) => cell.textContent?.trim()).join(' ')))).toEqual([
      '4 not-an-address not a valid email address',
      `5 ${guest('ANN')} duplicate of row 2`,
      '7 =HYPERLINK("x") not a valid email address',
    ])
    // The rows not invited as CSV, with the session: a cell a spreadsheet would run as a formula is neutralised.
    const href = await page.getAttribute('[data-test="list-rejected-csv"]', 'href')
    const rejectedCsv = await (await page.request.get(url(href!))).text()
    expect(rejectedCsv).toContain('not-an-address')
    expect(rejectedCsv).toContain(`'=HYPERLINK`)
    expect(rejectedCsv.split(/\r?\n/).some((line) => line.split(',').some((cell) => /^"?=/.test(cell)))).toBe(false)
    expect(await page.isDisabled('[data-test="list-send"]')).toBe(true)
    await screenshots(page, 'vip-1-preview')

    // Only YES in capitals sends.
    await page.fill('[data-test="list-confirm-input"]', 'yes')
    expect(await page.isDisabled('[data-test="list-send"]')).toBe(true)
    await page.fill('[data-test="list-confirm-input"]', 'YES')
    expect(await page.isDisabled('[data-test="list-send"]')).toBe(false)
    const sentFrom = Date.now()
    await page.click('[data-test="list-send"]')
    await page.waitForSelector('[data-test="list-progress-bar"]')
    await screenshots(page, 'vip-2-progress')
    // A reload finds the list on its way.
    await page.goto(page.url(), { waitUntil: 'hydration' })
    await page.waitForSelector('[data-test="list-progress-bar"]')
    expect(await text(page, '[data-test="list-sending"] h3')).toBe('vip-guests.csv')

    // The worker queues the rows and sends them; the page reads the figures until done.
    await runSendQueue()
    await runSendQueue()
    await expect.poll(() => text(page, '[data-test="list-done"]')).toMatch(/sent or accounted for/)
    const bar = page.locator('[data-test="list-progress-bar"]')
    expect(await bar.getAttribute('aria-valuenow')).toBe(await bar.getAttribute('aria-valuemax'))
    expect(await text(page, '[data-test="list-queued"] dd')).toBe('3')
    expect(await text(page, '[data-test="list-sent"] dd')).toBe('3')
    expect(await text(page, '[data-test="list-failed"] dd')).toBe('0')
    // The page read its attendees again: the invited ones are there, the formula-like name as text.
    await expect.poll(() => page.locator(`[data-test="attendee-row"][data-email="${guest('carl')}"] [data-test="attendee-name"]`).textContent().catch(() => null)).toBe('=HYPERLINK("x")')
    await screenshots(page, 'vip-3-done')

    // After a reload, the finished list is listed with its figures and the link to its attendees.
    await page.goto(page.url(), { waitUntil: 'hydration' })
    const batch = page.locator('[data-test="list-batches"] li', { hasText: 'vip-guests.csv' })
    expect(await batch.locator('[data-test="list-batch-phase"]').textContent()).toBe('done')
    expect((await batch.locator('[data-test="list-batch-figures"]').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      '6 rows, 3 valid, 2 invalid, 1 duplicates; 3 queued, 3 sent, 0 failed, 0 skipped',
    )
    expect(await batch.locator('[data-test="list-batch-attendees"]').getAttribute('href')).toBe('#attendees')
    await batch.locator('[data-test="list-batch-attendees"]').click()
    expect(new URL(page.url()).hash).toBe('#attendees')
    expect(await page.isVisible('#attendees')).toBe(true)
    // Nothing was blocked: the PUT to S3 is allowed by connect-src.
    expect(await violations()).toEqual([])
    await page.close()

    // The invitations, in the SES stand-in: one each, with the calendar.
    for (const address of [guest('ann'), guest('bob'), guest('carl')]) {
      const mails = await Promise.all((await rawSentMail(sentFrom, address)).map((mail) => PostalMime.parse(mail.raw)))
      expect(mails.length, address).toBe(1)
      expect(mails[0]!.attachments.some((part) => part.mimeType === 'text/calendar'), address).toBe(true)
    }
    expect(await rawSentMail(sentFrom, 'not-an-address')).toEqual([])
  }, 120_000)

  it('checks pasted addresses, and sets the list aside for another', async () => {
    const { page } = await eventPage(await signedIn())
    await newListForm(page)
    await page.fill('[data-test="list-text"]', `${guest('dora')}\n${guest('ed')}\nnobody-at-all\n`)
    await page.click('[data-test="list-check-text"]')
    await expect.poll(() => text(page, '[data-test="list-checking"]')).toMatch(/Checking Pasted addresses/)
    await runSendQueue()
    await page.waitForSelector('[data-test="list-preview"]')
    expect(await text(page, '[data-test="list-preview"] h3')).toBe('Pasted addresses')
    expect(await text(page, '[data-test="list-count-valid"] dd')).toBe('2')
    expect(await text(page, '[data-test="list-count-invalid"] dd')).toBe('1')
    await expect.poll(() => text(page, '[data-test="list-rejected"] tbody')).toContain('nobody-at-all')
    await page.click('[data-test="list-start-over"]')
    await page.waitForSelector('[data-test="list-file-form"]')
    expect(await page.isVisible('[data-test="list-preview"]')).toBe(false)
    expect(await page.locator('[data-test="list-batches"] li', { hasText: 'Pasted addresses' }).locator('[data-test="list-batch-phase"]').textContent()).toBe('waiting for YES')
    await page.close()
  }, 60_000)

  it('says a checked list with no row to invite has nothing to send, and does not bring it back after a reload', async () => {
    const { page } = await eventPage(await signedIn())
    await newListForm(page)
    await page.fill('[data-test="list-text"]', 'email\nnobody-at-all\nnor-this-one\n')
    await page.click('[data-test="list-check-text"]')
    await expect.poll(() => text(page, '[data-test="list-checking"]')).toMatch(/Checking Pasted addresses/)
    await runSendQueue()
    await page.waitForSelector('[data-test="list-preview"]')
    expect(await text(page, '[data-test="list-count-valid"] dd')).toBe('0')
    await page.goto(page.url(), { waitUntil: 'hydration' })
    const batch = page.locator('[data-test="list-batches"] li').first()
    await expect.poll(() => batch.locator('[data-test="list-batch-phase"]').textContent()).toBe('nothing to send')
    // What the page opens after a reload is a list with something to send, or the form: never this one.
    await page.waitForSelector('[data-test="list-start-over"], [data-test="list-file-form"]')
    if (await page.isVisible('[data-test="list-preview"]')) expect(await text(page, '[data-test="list-count-valid"] dd')).not.toBe('0')
    await page.close()
  }, 60_000)

  it('says in one sentence why a file that is no list cannot be read', async () => {
    const { page, violations } = await eventPage(await signedIn())
    await newListForm(page)
    // A PNG's first bytes.
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')
    await page.setInputFiles('[data-test="list-file"]', { name: 'photo.png', mimeType: 'image/png', buffer: png })
    await page.click('[data-test="list-upload"]')
    await expect.poll(() => text(page, '[data-test="list-checking"]')).toMatch(/Checking photo\.png/)
    await runSendQueue()
    await page.waitForSelector('[data-test="list-problem"]')
    expect(await text(page, '[data-test="list-problem"]')).toMatch(/^[A-Z][^\n]*[.!?]$/)
    expect(await page.isVisible('[data-test="list-file-form"]')).toBe(true)
    const batch = page.locator('[data-test="list-batches"] li', { hasText: 'photo.png' })
    expect(await batch.locator('[data-test="list-batch-problem"]').textContent()).toBe(await text(page, '[data-test="list-problem"]'))
    await page.screenshot({ path: `${artifacts}vip-4-unreadable.png`, fullPage: true })
    expect(await violations()).toEqual([])
    await page.close()
  }, 60_000)

  it('offers no list for an event that is over, nor to an owner looking at an organizer\'s event', async () => {
    const { page } = await eventPage(await signedIn(), pastUid)
    // A past event offers neither the invite form nor a list: the page says why.
    await page.waitForSelector('[data-test="invite-closed"]')
    expect(await page.locator('[data-test="invite-form"]').count()).toBe(0)
    expect(await page.locator('[data-test="vip-list"]').count()).toBe(0)
    await page.close()

    const owner = `otto-${run}@vip.example`
    await setOwner(owner, { systemOwner: false, domains: ['vip.example'] }, 'tests')
    const { page: ownerPage } = await eventPage(await signIn(owner))
    expect(await ownerPage.textContent('[data-test="summary"]')).toBe('VIP dinner')
    expect(await ownerPage.locator('[data-test="vip-list"]').count()).toBe(0)
    await ownerPage.close()
  })
})
