/**
 * The event page's charts in headless Chromium, for an event whose invitations went out,
 * one bounced for good, and whose replies came on several days: the answers bar, replies
 * per day and the invitation funnel are drawn (a canvas with something on it) under the
 * page's Content-Security-Policy, every figure is also written out as text, and the boxes
 * the server renders are as tall as the drawn charts, so nothing moves when they appear.
 * Screenshots: tests/artifacts/event-charts-*.png.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createPage, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { deliver, imip, mailbox, organizerCreatesEvent, rawSentMail, received, runSendQueue, sqsRecord } from '../../integration/support'
import { inviteToEvent } from '../../../server/services/invitations'
import { applyWebAnswer } from '../../../server/services/ingest'
import { handleSesEvents } from '../../../server/queues/ses-events'
import { signIn } from '../session'
import { artifacts, CHROMIUM, signedInPage } from './browser'
import { accessibilityProblems, checkPage, DESKTOP, PHONE } from './page-checks'

const run = randomUUID().slice(0, 8)
const organizer = `charlotte-${run}@charts.example`
const uid = `charts-${run}@test`
const guest = (name: string) => `${name}-${run}@guests.example`
const path = `/dashboard/events/${encodeURIComponent(uid)}`
const CHARTS = ['answers-chart', 'replies-chart', 'funnel-chart'] as const

/** A permanent bounce of the message SES sent to `email`, as SES publishes it through SNS. */
async function bounce(email: string, since: number) {
  const [sent] = await rawSentMail(since, email)
  const notification = {
    eventType: 'Bounce',
    bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: new Date().toISOString(), bouncedRecipients: [{ emailAddress: email, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
    mail: { messageId: sent!.messageId, timestamp: new Date().toISOString(), source: mailbox('rsvp'), destination: [email] },
  }
  expect(await handleSesEvents({ Records: [sqsRecord(`bounce-${run}`, JSON.stringify({ Type: 'Notification', Message: JSON.stringify(notification) }))] })).toEqual({ batchItemFailures: [] })
}

/** Heights of the chart boxes and of the cards around them, by name. */
const boxHeights = (page: NuxtPage) =>
  page.evaluate(
    (names) => Object.fromEntries(names.map((name) => [name, document.querySelector(`[data-test="${name}"]`)?.getBoundingClientRect().height ?? null])),
    [...CHARTS, 'answers', 'replies', 'funnel'],
  )

/** Charts with something drawn on their canvas (a pixel that is not transparent). */
const drawnCharts = (page: NuxtPage) =>
  page.evaluate((names) =>
    names.filter((name) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-test="${name}"] canvas`)
      if (!canvas || !canvas.width || !canvas.height) return false
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
      for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha]! > 0) return true
      return false
    }), [...CHARTS])

/** Elements inside `root` whose right edge lies past the viewport's. */
const tooWide = (page: NuxtPage, root: string) =>
  page.evaluate((selector) => {
    const edge = document.documentElement.clientWidth
    return [...document.querySelectorAll(`${selector} *`)]
      .filter((element) => element.getBoundingClientRect().right > edge + 0.5)
      .map((element) => `${element.tagName.toLowerCase()}${element.getAttribute('data-test') ? `[${element.getAttribute('data-test')}]` : ''}`)
  }, root)

const text = async (page: NuxtPage, testId: string) => ((await page.textContent(`[data-test="${testId}"]`)) ?? '').replace(/\s+/g, ' ').trim()

describe.skipIf(!existsSync(CHROMIUM))('event charts: answers, replies over time and the invitation funnel', () => {
  let session: Promise<string> | undefined
  const signedIn = () => (session ??= signIn(organizer))

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    await organizerCreatesEvent(uid, organizer, 'Charlotte', 'Charts review')
    const since = Date.now()
    for (const name of ['ada', 'ben', 'cleo', 'dev', 'gone']) await inviteToEvent({ eventUid: uid, email: guest(name), origin: name === 'dev' ? 'vip' : 'api', invitedBy: organizer })
    await runSendQueue()
    await bounce(guest('gone'), since)
    // Replies on three days (the web answer links record when they were given).
    await applyWebAnswer(uid, { email: guest('ada'), name: null }, 'ACCEPTED', new Date('2026-11-27T09:00:00Z'))
    await applyWebAnswer(uid, { email: guest('ben'), name: null }, 'TENTATIVE', new Date('2026-11-28T15:00:00Z'))
    await applyWebAnswer(uid, { email: guest('ada'), name: null }, 'ACCEPTED', new Date('2026-11-30T08:00:00Z'))
    await applyWebAnswer(uid, { email: guest('cleo'), name: null }, 'DECLINED', new Date('2026-11-30T18:00:00Z'))
    // Someone Ada forwarded the invitation to: shared, beside the answers.
    const friend = guest('friend')
    const reply = imip(friend, mailbox('rsvp'), 'REPLY', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261129T100000Z', `ORGANIZER:mailto:${organizer}`, `ATTENDEE;PARTSTAT=ACCEPTED:mailto:${friend}`, 'END:VEVENT',
    ])
    await deliver('rsvp', received(reply, friend))
  }, 60_000)

  it('draws every chart under the Content-Security-Policy and writes out its figures', async () => {
    const page = await signedInPage(await signedIn(), '/dashboard')
    await page.addInitScript(() => {
      const seen: string[] = []
      ;(window as unknown as { __violations: string[] }).__violations = seen
      document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`))
    })
    await page.goto(url(path), { waitUntil: 'hydration' })
    await expect.poll(() => drawnCharts(page)).toEqual([...CHARTS])
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([])

    // The answers of the five invited: written out with their share, the shared replier apart.
    expect(await text(page, 'answers-summary')).toBe('3 of 5 answered (60%)')
    expect(await text(page, 'answer-Yes')).toBe('Yes 1 20%')
    expect(await text(page, 'answer-Maybe')).toBe('Maybe 1 20%')
    expect(await text(page, 'answer-No')).toBe('No 1 20%')
    expect(await text(page, 'answer-No answer')).toBe('No answer 2 40%')
    expect(await text(page, 'answer-Shared')).toMatch(/^1 shared: someone who answered a forwarded invitation/)
    expect(await page.getAttribute('[data-test="answers-chart"] canvas', 'aria-label')).toBe('Answers: Yes 1 (20%), Maybe 1 (20%), No 1 (20%), No answer 2 (40%)')

    // Replies per day: the table has each day that had one, the chart every day between.
    const rows = await page.$$eval('[data-test="replies-table"] tbody tr', (trs) => trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((cell) => cell.textContent!.trim()).join(' ')))
    expect(rows).toEqual(['27 Nov 1 0 0', '28 Nov 0 1 0', '30 Nov 1 0 1'])
    expect(await page.getAttribute('[data-test="replies-chart"] canvas', 'aria-label')).toMatch(/^Replies per day from 27 Nov to 30 Nov: 4 in all\./)

    // The funnel: five invited and sent, one bounced, three of the four delivered answered.
    expect(await text(page, 'funnel-invited')).toMatch(/^Invited .* 5 100%$/)
    expect(await text(page, 'funnel-sent')).toMatch(/^Sent .* 5 100%$/)
    expect(await text(page, 'funnel-delivered')).toMatch(/^Delivered sent, and no bounce or spam complaint came back 4 80%$/)
    expect(await text(page, 'funnel-answered')).toMatch(/^Answered .* 3 60%$/)

    await page.click('[data-test="replies"] summary')
    await page.setViewportSize(DESKTOP)
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(undefined))))
    await page.setViewportSize(PHONE)
    // Even before chart.js has redrawn at the new width (its canvases are still desktop-wide).
    expect(await page.evaluate(() => document.querySelector('[data-test="charts"]')!.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0)
    await expect.poll(() => tooWide(page, '[data-test="charts"]')).toEqual([])
    // And the whole page, at both widths.
    await checkPage(page, 'event-charts')
    await page.close()
  }, 60_000)

  it('renders each chart box at its final height on the server, so the page does not move when the charts draw', async () => {
    const cookie = await signedIn()
    const split = cookie.indexOf('=')
    const still = await createPage(undefined, { javaScriptEnabled: false })
    await still.context().addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url: url('/') }])
    await still.goto(url(path))
    const served = await boxHeights(still)
    // Without JavaScript the figures are all there: the numbers table, the funnel, the answers.
    expect(await text(still, 'answer-No answer')).toBe('No answer 2 40%')
    expect(await still.$$eval('[data-test="replies-table"] tbody tr', (trs) => trs.length)).toBe(3)
    await still.screenshot({ path: `${artifacts}event-charts-no-js.png`, fullPage: true })
    await still.close()

    const page = await signedInPage(cookie, path)
    await expect.poll(() => drawnCharts(page)).toEqual([...CHARTS])
    const drawn = await boxHeights(page)
    expect(Object.values(served).every((height) => height! > 0), JSON.stringify(served)).toBe(true)
    expect(drawn).toEqual(served)
    await page.close()
  }, 60_000)

  it('says in words what is not there yet, for an event nobody is invited to', async () => {
    const empty = `charts-empty-${run}@test`
    await organizerCreatesEvent(empty, organizer, 'Charlotte', 'Nobody yet')
    const page = await signedInPage(await signedIn(), `/dashboard/events/${encodeURIComponent(empty)}`)
    expect(await text(page, 'answers')).toContain('Nobody is invited yet.')
    expect(await text(page, 'replies')).toContain('No replies yet.')
    expect(await text(page, 'funnel')).toContain('No invitations sent from here yet.')
    expect(await page.$$('[data-test="charts"] canvas')).toHaveLength(0)
    await checkPage(page, 'event-charts-empty', [DESKTOP])
    await page.setViewportSize(PHONE)
    expect(await tooWide(page, '[data-test="charts"]')).toEqual([])
    await page.screenshot({ path: `${artifacts}event-charts-empty-390.png`, fullPage: true })
    await page.close()
  }, 30_000)
})
