/**
 * The attendee's whole way, in headless Chromium on a phone-sized page, as a new user would
 * try it: the organizer's invitation creates the event and the organizer lists it; a visitor
 * opens its public page, asks for the invitation, confirms from the mailed link, receives
 * the real invitation, answers Yes from its web link, and the organizer's dashboard shows
 * the answer. Mail is read from the SES stand-in and parsed with postal-mime.
 */
import { describe, it, expect } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { createPage, url } from '@nuxt/test-utils/e2e'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue } from '../../integration/support'
import { loadAttendee, loadEvent } from '../../../server/services/event-store'
import { setEventListed } from '../../../server/services/public-events'
import { INVITE_REQUEST_MESSAGE } from '../../../server/services/invite-requests'
import { signIn } from '../session'
import { artifacts, CHROMIUM, signedInPage } from './browser'

const run = randomUUID().slice(0, 8)
const organizer = `olive-${run}@journey.example`
const visitor = `val-${run}@visitors.example`
const uid = `journey-${run}@test`

/** The mail the SES stand-in accepted for `to` since `since`, parsed. */
async function mailTo(since: number, to: string) {
  return Promise.all((await rawSentMail(since, to)).map((message) => PostalMime.parse(message.raw)))
}

describe.skipIf(!existsSync(CHROMIUM))('the attendee journey: public page, double opt-in, invitation, web answer, dashboard', () => {
  it('takes a visitor from the event page to an answer the organizer sees', async () => {
    mkdirSync(artifacts, { recursive: true })
    const invite = imip(organizer, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T100000Z',
      'DTSTART;TZID=Europe/Paris:20270515T183000', 'DTEND;TZID=Europe/Paris:20270515T203000',
      'SUMMARY:Garden concert', 'LOCATION:https://meet.google.com/abc-defg-hij',
      'DESCRIPTION:Bring a chair. Programme: https://example.org/programme',
      `ORGANIZER;CN=Olive Organizer:mailto:${organizer}`, 'END:VEVENT',
    ])
    expect(await deliver('create', received(invite, organizer))).toMatchObject({ outcome: 'created' })
    await setEventListed(uid, true)
    const { publicId } = (await loadEvent(uid))!

    // The visitor, on a phone: the public page, and "Send me the invite".
    const page = await createPage(`/events/${publicId}`, { viewport: { width: 390, height: 844 } })
    page.setDefaultTimeout(10_000)
    expect(await page.textContent('h1')).toContain('Garden concert')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    const asked = Date.now()
    await page.fill('[data-test="invite-request-email"]', visitor)
    await page.click('[data-test="invite-request-submit"]')
    await expect.poll(() => page.textContent('[data-test="invite-request-answer"]')).toBe(INVITE_REQUEST_MESSAGE)
    await page.screenshot({ path: `${artifacts}journey-1-event-page-390.png`, fullPage: true })

    // The first mail is a confirmation with a link and no calendar in it.
    await runSendQueue()
    const [confirmation] = await mailTo(asked, visitor)
    expect(confirmation).toBeDefined()
    expect(confirmation!.attachments.filter((part) => part.mimeType === 'text/calendar')).toEqual([])
    expect(confirmation!.text ?? '').not.toContain('BEGIN:VCALENDAR')
    const confirmLink = new URL(/(https?:\/\/\S+\/invite-requests\/\S+)/.exec(confirmation!.text ?? '')![1]!)

    // Opening the link shows a button; only pressing it sends the invitation.
    await page.goto(url(confirmLink.pathname), { waitUntil: 'hydration' })
    await page.waitForSelector('[data-test="confirm"]')
    await page.screenshot({ path: `${artifacts}journey-2-confirm-390.png`, fullPage: true })
    await runSendQueue()
    expect((await mailTo(asked, visitor)).length).toBe(1)
    const confirmed = Date.now()
    await page.click('[data-test="confirm"]')
    await expect.poll(() => page.textContent('[data-test="done"]').catch(() => null)).toBe(`The invitation is on its way to ${visitor}.`)
    await runSendQueue()

    // The real invitation: METHOD:REQUEST with RSVP, and web answer links.
    const [invitation] = await mailTo(confirmed, visitor)
    expect(invitation).toBeDefined()
    const calendar = invitation!.attachments.find((part) => part.mimeType === 'text/calendar')
    const calendarText = typeof calendar?.content === 'string' ? calendar.content : new TextDecoder().decode(calendar?.content as ArrayBuffer)
    expect(calendarText).toContain('METHOD:REQUEST')
    expect(calendarText).toContain(`UID:${uid}`)
    expect(calendarText).toMatch(/ATTENDEE;[^\r\n]*RSVP=TRUE/)
    const yes = new URL(/(https?:\/\/\S+\/rsvp\/\S+\?answer=ACCEPTED)/.exec(invitation!.text ?? '')![1]!)

    // "Yes" from the invitation's web link: the page asks, the button records.
    await page.goto(url(yes.pathname + yes.search), { waitUntil: 'hydration' })
    await page.waitForSelector('[data-test="answer-ACCEPTED"]')
    expect((await loadAttendee(uid, visitor))!.partstat).toBe('NEEDS-ACTION')
    await page.click('[data-test="answer-ACCEPTED"]')
    await expect.poll(async () => (await loadAttendee(uid, visitor))?.partstat).toBe('ACCEPTED')
    await page.screenshot({ path: `${artifacts}journey-3-answered-390.png`, fullPage: true })
    await page.close()

    // The organizer sees the answer on the dashboard.
    const dashboard = await signedInPage(await signIn(organizer), `/dashboard/events/${encodeURIComponent(uid)}`)
    const row = dashboard.locator('[data-test="attendees"] tbody tr', { hasText: visitor })
    await expect.poll(() => row.textContent()).toContain('Yes')
    await dashboard.screenshot({ path: `${artifacts}journey-4-dashboard.png`, fullPage: true })
    await dashboard.close()
  }, 120_000)
})
