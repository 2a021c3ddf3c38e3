/**
 * "Send me the invite" and web answers on the built app: the HTTP contract of the public
 * form's route, then in headless Chromium the confirmation page (opening it changes
 * nothing; its button sends the invitation) and the answer page of the invitation that
 * arrives (opening it changes nothing; a button records the answer, another changes it).
 * Screenshots at desktop width and at 390 px go to tests/artifacts/.
 */
import { describe, it, expect } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { createPage, fetch, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue } from '../../integration/support'
import { loadInvitation } from '../../../server/services/invitations'
import { loadAttendee, loadEvent } from '../../../server/services/event-store'
import { WEB_ANSWER_PRODID } from '../../../server/domain/itip/web-answer'
import { INVITE_REQUEST_MESSAGE } from '../../../server/services/invite-requests'
import { artifacts, CHROMIUM } from './browser'

const run = randomUUID().slice(0, 8)
const organizer = `ines-${run}@optin-browser.example`

async function publishedEvent(summary: string, method: 'REQUEST' | 'CANCEL' = 'REQUEST', uid = `optin-browser-${randomUUID()}@test`) {
  const sequence = method === 'CANCEL' ? 1 : 0
  const invite = imip(organizer, mailbox('create'), method, [
    'BEGIN:VEVENT', `UID:${uid}`, `SEQUENCE:${sequence}`, `DTSTAMP:2026112${sequence}T100000Z`, 'DTSTART:20270410T170000Z', 'DTEND:20270410T190000Z',
    `SUMMARY:${summary}`, 'LOCATION:Town hall, room 2', ...(method === 'CANCEL' ? ['STATUS:CANCELLED'] : []),
    `ORGANIZER;CN=Ines Organizer:mailto:${organizer}`, 'END:VEVENT',
  ])
  expect(await deliver('create', received(invite, organizer))).toMatchObject({ outcome: method === 'CANCEL' ? 'cancelled' : 'created' })
  return { uid, publicId: (await loadEvent(uid))!.publicId! }
}

const ask = (publicId: string, body: unknown) =>
  fetch(`/api/public/events/${publicId}/invite-requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function textOfMailTo(since: number, to: string): Promise<string[]> {
  return Promise.all((await rawSentMail(since, to)).map(async (m) => (await PostalMime.parse(m.raw)).text ?? ''))
}

async function screenshots(page: NuxtPage, name: string) {
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.screenshot({ path: `${artifacts}${name}-desktop.png`, fullPage: true })
  await page.setViewportSize({ width: 390, height: 844 })
  await page.screenshot({ path: `${artifacts}${name}-390.png`, fullPage: true })
  await page.setViewportSize({ width: 1280, height: 900 })
}

describe('invite requests and web answers', () => {
  it('answers the public form as its contract says: 202 with one sentence, 400, 404, 409', { tags: ['security'] }, async () => {
    const { publicId } = await publishedEvent('Contract evening')
    const accepted = await ask(publicId, { email: `anna-${run}@visitors.example` })
    expect(accepted.status).toBe(202)
    expect(await accepted.json()).toEqual({ message: INVITE_REQUEST_MESSAGE })
    expect((await ask(publicId, { email: `anna-${run}@visitors.example`, origin: 'embed' })).status).toBe(202)
    expect((await ask(publicId, { email: `anna-${run}@visitors.example`, origin: 'api' })).status).toBe(400)
    const invalid = await ask(publicId, { email: 'not an address' })
    expect(invalid.status).toBe(400)
    expect((await invalid.json()).message).toBe('Give a valid email address.')
    expect((await ask('AAAAAAAAAAAAAAAA', { email: `anna-${run}@visitors.example` })).status).toBe(404)
    const cancelled = await publishedEvent('Called off', 'CANCEL', (await publishedEvent('Called off')).uid)
    const closed = await ask(cancelled.publicId, { email: `anna-${run}@visitors.example` })
    expect(closed.status).toBe(409)
    expect((await closed.json()).message).toBe('This event is cancelled, so no invitations are sent for it.')
    // A scanner's POST to the confirmation address with a made-up token sends nothing.
    expect((await fetch('/invite-requests/not-a-token', { method: 'POST' })).status).toBe(404)
    expect((await fetch('/rsvp/not-a-token?answer=ACCEPTED', { method: 'POST' })).status).toBe(404)
    expect((await fetch('/rsvp/not-a-token?answer=MAYBE', { method: 'POST' })).status).toBe(400)
  })

  // A visitor who pressed the button before the page's script ran (or has none) sent the form
  // as a GET to the page itself: nothing was asked for, and the address stood in the URL.
  it.skipIf(!existsSync(CHROMIUM))('asks, confirms and answers without JavaScript, and never puts the address in a URL', async () => {
    const { uid, publicId } = await publishedEvent('Plain form evening')
    const visitor = `nojs-${run}@visitors.example`
    const since = Date.now()
    const page = await createPage(undefined, { javaScriptEnabled: false, viewport: { width: 390, height: 844 } })
    await page.goto(url(`/events/${publicId}`))
    await page.fill('[data-test="invite-request-email"]', visitor)
    await Promise.all([page.waitForURL(/invite-request=accepted/), page.click('[data-test="invite-request-submit"]')])
    expect(await page.textContent('[data-test="invite-request-answer"]')).toBe(INVITE_REQUEST_MESSAGE)
    expect(page.url()).not.toContain('nojs-')
    await page.screenshot({ path: `${artifacts}invite-request-no-javascript-390.png`, fullPage: true })
    await runSendQueue()
    const [confirmation] = await textOfMailTo(since, visitor)
    const confirmLink = new URL(/(https?:\/\/\S+\/invite-requests\/\S+)/.exec(confirmation ?? '')![1]!)

    // The confirmation's button and the invitation's answer buttons, without JavaScript too.
    await page.goto(url(confirmLink.pathname))
    const confirmed = Date.now()
    await Promise.all([page.waitForURL(/sent=yes/), page.click('[data-test="confirm"]')])
    expect(await page.textContent('[data-test="done"]')).toBe(`The invitation is on its way to ${visitor}.`)
    await runSendQueue()
    const [invitation] = await textOfMailTo(confirmed, visitor)
    const yes = new URL(/(https?:\/\/\S+\/rsvp\/\S+\?answer=ACCEPTED)/.exec(invitation ?? '')![1]!)
    await page.goto(url(yes.pathname + yes.search))
    expect(await page.textContent('[data-test="current"]')).toContain('You have not answered yet.')
    await Promise.all([page.waitForURL((at) => at.searchParams.get('answer') === 'DECLINED'), page.click('[data-test="answer-DECLINED"]')])
    expect(await page.textContent('[data-test="current"]')).toContain('Your answer now: No.')
    expect((await loadAttendee(uid, visitor))!.partstat).toBe('DECLINED')
    expect((await fetch(`${yes.pathname}${yes.search}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' }, body: 'answer=ACCEPTED' })).status).toBe(403)
    expect((await loadAttendee(uid, visitor))!.partstat).toBe('DECLINED')

    await page.goto(url(`/events/${publicId}`))
    await page.fill('[data-test="invite-request-email"]', 'not an address')
    await Promise.all([page.waitForURL(/invite-request=invalid/), page.click('[data-test="invite-request-submit"]')])
    expect(await page.textContent('[data-test="invite-request-answer"]')).toBe('Give a valid email address.')
    await page.close()
  })

  it('refuses the plain form posted from another site', { tags: ['security'] }, async () => {
    const { publicId } = await publishedEvent('Cross-site evening')
    const post = (site: string | null) =>
      fetch(`/events/${publicId}/invite-requests`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(site ? { 'sec-fetch-site': site } : {}) },
        body: new URLSearchParams({ email: `cross-${run}@visitors.example` }).toString(),
      })
    expect((await post('cross-site')).status).toBe(403)
    expect((await post('same-site')).status).toBe(403)
    const same = await post('same-origin')
    expect(same.status).toBe(303)
    expect(same.headers.get('location')).toBe(`/events/${publicId}?invite-request=accepted#send-me-the-invite`)
    const embedded = await fetch(`/events/${publicId}/invite-requests`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: `cross-${run}@visitors.example`, origin: 'embed' }).toString(),
    })
    expect(embedded.headers.get('location')).toBe(`/embed/${publicId}?invite-request=accepted#send-me-the-invite`)
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    expect((await fetch('/events/AAAAAAAAAAAAAAAA/invite-requests', { method: 'POST', redirect: 'manual', headers: form, body: 'email=a%40b.example' })).status).toBe(404)
    // A body that is no form is an invalid address, not an error of the server.
    const notForm = await fetch(`/events/${publicId}/invite-requests`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' }, body: '[1,2]' })
    expect(notForm.headers.get('location')).toBe(`/events/${publicId}?invite-request=invalid#send-me-the-invite`)
  })

  it.skipIf(!existsSync(CHROMIUM))('confirms by the mailed page’s button, then answers from the invitation’s link and changes the answer', async () => {
    mkdirSync(artifacts, { recursive: true })
    const { uid, publicId } = await publishedEvent('Open studio <b>night</b>')
    const visitor = `vito-${run}@visitors.example`
    const since = Date.now()
    expect((await ask(publicId, { email: visitor })).status).toBe(202)
    await runSendQueue()
    const [confirmation] = await textOfMailTo(since, visitor)
    const confirmPath = new URL(/(http\S+\/invite-requests\/\S+)/.exec(confirmation!)![1]!).pathname

    const page = await createPage()
    page.setDefaultTimeout(10_000)
    await page.goto(url(confirmPath), { waitUntil: 'hydration' })
    await page.waitForSelector('[data-test="confirm"]')
    expect(await page.textContent('[data-test="event"]')).toContain('Open studio <b>night</b>')
    expect(await page.textContent('main')).toContain(visitor)
    await screenshots(page, 'invite-request-confirm')
    // Showing the page (server-rendered and hydrated) sent and remembered nothing.
    expect(await loadInvitation(uid, visitor)).toBeNull()

    await page.click('[data-test="confirm"]')
    await expect.poll(async () => page.textContent('[data-test="done"]').catch(() => null)).toBe(`The invitation is on its way to ${visitor}.`)
    expect(await loadInvitation(uid, visitor)).toMatchObject({ origin: 'landing-page', status: 'queued' })
    await screenshots(page, 'invite-request-confirmed')

    const invited = Date.now()
    await runSendQueue()
    const [invitation] = await textOfMailTo(invited, visitor)
    const maybe = new URL(/(http\S+\/rsvp\/\S+\?answer=TENTATIVE)/.exec(invitation!)![1]!)
    await page.goto(url(maybe.pathname + maybe.search), { waitUntil: 'hydration' })
    await page.waitForSelector('[data-test="answer-TENTATIVE"]')
    expect(await page.textContent('[data-test="event"]')).toContain('Open studio <b>night</b>')
    expect(await page.textContent('[data-test="current"]')).toContain('You have not answered yet.')
    await screenshots(page, 'web-answer')
    expect(await loadAttendee(uid, visitor)).toMatchObject({ partstat: 'NEEDS-ACTION', history: [] })

    await page.click('[data-test="answer-TENTATIVE"]')
    await expect.poll(async () => page.textContent('[data-test="done"]').catch(() => null)).toMatch(/"Maybe" is recorded/)
    await expect.poll(async () => (await loadAttendee(uid, visitor))?.partstat).toBe('TENTATIVE')
    expect((await loadAttendee(uid, visitor))!.history).toEqual([expect.objectContaining({ partstat: 'TENTATIVE', prodid: WEB_ANSWER_PRODID })])
    expect(await page.textContent('[data-test="current"]')).toContain('Your answer now: Maybe.')
    await screenshots(page, 'web-answer-recorded')

    // Changed later from the same page.
    await page.click('[data-test="answer-ACCEPTED"]')
    await expect.poll(async () => (await loadAttendee(uid, visitor))?.partstat).toBe('ACCEPTED')
    await expect.poll(async () => page.textContent('[data-test="current"]')).toContain('Your answer now: Yes.')

    // A tampered link shows a sentence and no button.
    const token = maybe.pathname.split('/').pop()!
    await page.goto(url(`/rsvp/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}?answer=ACCEPTED`), { waitUntil: 'hydration' })
    await page.waitForSelector('[data-test="invalid"]')
    expect(await page.locator('[data-test^="answer-"]').count()).toBe(0)
    await page.close()
  }, 120_000)
})
