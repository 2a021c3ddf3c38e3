/**
 * A new organizer's first steps in headless Chromium: the empty dashboard's guide (the
 * create@ address, the steps, the sample; the first event mailed in shows by itself), sign-in
 * that returns to the page asked for (and refuses to lead anywhere off the site), the event
 * link of the confirmation mail followed signed out, and the sign-in form without JavaScript,
 * with "Send again" (within the per-address limit) and "Use another address".
 * Screenshots: tests/artifacts/first-run-*.png.
 */
import { describe, it, expect } from 'vitest'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { createPage, fetch, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity } from '../../../server/aws/table'
import { SIGN_IN_LIMITS } from '../../../server/services/sign-in'
import { SIGN_IN_NOTICES } from '../../../shared/schemas/auth'
import { mailbox, organizerCreatesEvent, rawSentMail, runSendQueue } from '../../integration/support'
import { forgetThisMachinesSignIns, sessionSetCookie, signIn } from '../session'
import { CHROMIUM, signedInPage } from './browser'
import { checkPage } from './page-checks'

const run = randomUUID().slice(0, 8)
const person = (name: string) => `${name}-${run}@first-run.example`
const eventPath = (uid: string) => `/dashboard/events/${encodeURIComponent(uid)}`

/** The sign-in links mailed to `email` since `since`, as paths on this site, oldest first. */
async function signInLinks(email: string, since: number): Promise<string[]> {
  const mails = await rawSentMail(since, email)
  const texts = await Promise.all(mails.map(async (mail) => (await PostalMime.parse(mail.raw)).text ?? ''))
  return texts.flatMap((text) => [...text.matchAll(/^(http\S+\/sign-in\/verify\?\S+)$/gm)].map((match) => new URL(match[1]!)).map((link) => link.pathname + link.search))
}

/** Asks the API for a link to `email` leading to `next`, and returns the mailed link's path. */
async function askForLink(email: string, next?: string): Promise<string> {
  await forgetThisMachinesSignIns()
  const since = Date.now()
  const asked = await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, next }) })
  expect(asked.status).toBe(202)
  await expect.poll(() => signInLinks(email, since).then((links) => links.length)).toBe(1)
  return (await signInLinks(email, since))[0]!
}

/** Where opening a sign-in link leads. */
const destinationOf = async (link: string) => (await fetch(link, { redirect: 'manual' })).headers.get('location')

describe.skipIf(!existsSync(CHROMIUM))('first run and sign-in (empty dashboard guide, next= after sign-in, sign-in without JavaScript)', () => {
  it('shows an organizer with no event the guide (the address, the steps, the sample), and the first event mailed in by itself', async () => {
    const newcomer = person('nora')
    const cookie = await signIn(newcomer)
    const me = await (await fetch('/api/auth/me', { headers: { cookie } })).json()
    expect(me).toMatchObject({ email: newcomer, createAddress: mailbox('create'), hasEvents: false, localStack: true })

    const page = await signedInPage(cookie, '/dashboard')
    expect(await page.locator('[data-test="no-events"]').count()).toBe(0)
    expect((await page.textContent('[data-test="create-address"]'))?.trim()).toBe(mailbox('create'))
    const steps = await page.locator('[data-test="first-run-steps"] li').allTextContents()
    expect(steps).toHaveLength(3)
    expect(steps[0]).toMatch(/Google Calendar, Outlook or Apple Calendar/)
    expect(steps[1]).toContain(mailbox('create'))
    expect(await page.textContent('[data-test="first-run-next"]')).toMatch(/within a minute[\s\S]*confirmation mail[\s\S]*your own address/)
    expect(await page.textContent('[data-test="first-run-next"]')).toContain(newcomer)
    expect(await page.textContent('[data-test="sample-command"]')).toContain('npm run send-sample')
    // The sample is an event with no organizer: the calendar that opens it makes it the reader's own.
    const sample = decodeURIComponent((await page.getAttribute('[data-test="sample-ics"]', 'href'))!.replace(/^data:text\/calendar;charset=utf-8,/, ''))
    expect(sample).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VEVENT\r\n[\s\S]*DTSTART:\d{8}T100000\r\n[\s\S]*END:VCALENDAR\r\n$/)
    expect(sample).not.toContain('ORGANIZER')

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url('/') })
    await page.click('[data-test="copy-create-address"]')
    await expect.poll(() => page.textContent('[data-test="copy-create-address"]')).toBe('Copied')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(mailbox('create'))
    await checkPage(page, 'first-run-empty')

    // A search that finds nothing is not a first run.
    await page.goto(url('/dashboard?q=nothing'), { waitUntil: 'hydration' })
    expect(await page.locator('[data-test="first-run"]').count()).toBe(0)
    expect(await page.textContent('[data-test="no-events"]')).toContain('matching')

    // The first event, mailed in while the guide shows, replaces it without a reload.
    await page.goto(url('/dashboard'), { waitUntil: 'hydration' })
    await page.waitForSelector('[data-test="first-run"]')
    await organizerCreatesEvent(`first-${run}@test`, newcomer, 'Nora', `First event ${run}`)
    await page.waitForSelector(`[data-test="events"] >> text=First event ${run}`, { timeout: 15_000 })
    expect(await page.locator('[data-test="first-run"]').count()).toBe(0)
    await page.close()
  })

  it('shows "No upcoming events", not the guide, to an organizer whose events are all past', async () => {
    const veteran = person('pat')
    await EventEntity.build(EntityRepository).put({
      uid: `past-${run}@test`, organizerEmail: veteran, organizerDomain: 'first-run.example', summary: 'Long ago', start: '2020-03-01T10:00:00Z', dtstamp: '2020-01-01T00:00:00Z',
    })
    const cookie = await signIn(veteran)
    const page = await signedInPage(cookie, '/dashboard')
    expect(await page.textContent('[data-test="no-events"]')).toContain('No upcoming events')
    expect(await page.locator('[data-test="first-run"]').count()).toBe(0)
    await page.close()
  })

  it('leads to the page asked for after sign-in: /sign-in?next=, the request, the mailed link, the redirect', { tags: ['security'] }, async () => {
    const path = eventPath(`somewhere-${run}@test`)
    // The router writes the path as it reads it (`@` unencoded).
    const asked = decodeURIComponent(path)
    const signedOut = new URL((await fetch(path, { redirect: 'manual' })).headers.get('location')!, url('/'))
    expect(signedOut.pathname).toBe('/sign-in')
    expect(signedOut.searchParams.get('next')).toBe(asked)
    // The dashboard itself is where sign-in leads anyway: no `next` to carry.
    expect((await fetch('/dashboard', { redirect: 'manual' })).headers.get('location')).toBe('/sign-in')

    const link = await askForLink(person('ned'), asked)
    expect(new URL(link, url('/')).searchParams.get('next')).toBe(asked)
    const opened = await fetch(link, { redirect: 'manual' })
    expect(opened.status).toBe(303)
    expect(opened.headers.get('location')).toBe(asked)
    expect(sessionSetCookie(opened)).toBeDefined()
    // A used link sends to a new request that still leads there.
    expect(await destinationOf(link)).toBe(`/sign-in?error=link&next=${encodeURIComponent(asked)}`)
  })

  it.each([
    ['another site', 'https://evil.example/'],
    ['a protocol-relative address', '//evil.example/dashboard'],
    ['a backslash the browser reads as a slash', '/\\evil.example'],
    ['a tab the browser drops', '/\t/evil.example'],
    ['a script', 'javascript:alert(1)'],
    ['a relative path', 'dashboard'],
  ])('refuses to lead to %s after sign-in (the dashboard instead)', async (_, next) => {
    // Neither put in the mailed link …
    const link = await askForLink(person(`oscar-${randomUUID().slice(0, 4)}`), next)
    expect(new URL(link, url('/')).searchParams.has('next')).toBe(false)
    // … nor followed when someone writes it into a genuine link.
    const forged = `${link}&next=${encodeURIComponent(next)}`
    expect(await destinationOf(forged)).toBe('/dashboard')
  })

  it('answers a form post (no JavaScript) with the page, keeping a same-site next and dropping any other', { tags: ['security'] }, async () => {
    const post = async (fields: Record<string, string>) => {
      await forgetThisMachinesSignIns()
      const response = await fetch('/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' })
      expect(response.status).toBe(303)
      return response.headers.get('location')
    }
    expect(await post({ email: person('form'), next: '/dashboard/mail' })).toBe(`/sign-in?notice=sent&next=${encodeURIComponent('/dashboard/mail')}`)
    expect(await post({ email: person('form'), next: '//evil.example' })).toBe('/sign-in?notice=sent')
    expect(await post({ email: 'not an address' })).toBe('/sign-in?notice=invalid')
    expect(await post({})).toBe('/sign-in?notice=invalid')
  })

  it('follows the event link of the confirmation mail signed out: sign-in, then the event page', async () => {
    const organizer = person('olive')
    const uid = `confirmed-${run}@test`
    const since = Date.now()
    await organizerCreatesEvent(uid, organizer, 'Olive', `Confirmed ${run}`)
    await runSendQueue()
    const [confirmation] = await rawSentMail(since, organizer)
    const text = (await PostalMime.parse(confirmation!.raw)).text ?? ''
    const eventLink = new URL(/^(http\S+\/dashboard\/events\/\S+)$/m.exec(text)![1]!)
    expect(eventLink.pathname).toBe(eventPath(uid))

    await forgetThisMachinesSignIns()
    const page = await createPage()
    page.setDefaultTimeout(10_000)
    await page.goto(url(eventLink.pathname), { waitUntil: 'hydration' })
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    expect(new URL(page.url()).searchParams.get('next')).toBe(decodeURIComponent(eventLink.pathname))
    const asked = Date.now()
    await page.fill('input[type="email"]', organizer)
    await page.click('button[type="submit"]')
    await page.waitForSelector('[data-test="sent"]')
    const [link] = await signInLinks(organizer, asked)
    await page.goto(url(link!), { waitUntil: 'hydration' })
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(decodeURIComponent(eventLink.pathname))
    await page.waitForSelector(`text=Confirmed ${run}`)
    await page.close()
  })

  /** The sign-in page in a browser without JavaScript. */
  const withoutJavaScript = async (path: string): Promise<NuxtPage> => {
    const page = await createPage(undefined, { javaScriptEnabled: false })
    page.setDefaultTimeout(10_000)
    await page.goto(url(path))
    return page
  }

  /**
   * checkPage needs scripts in the page (axe, a frame to lay out): the same address with the
   * same cookies, in a page with JavaScript, is the same server-rendered state.
   */
  const checkAsServed = async (page: NuxtPage, name: string) => {
    const twin = await createPage()
    await twin.context().addCookies(await page.context().cookies())
    await twin.goto(page.url(), { waitUntil: 'hydration' })
    await checkPage(twin, name)
    await twin.close()
  }

  it('signs in without JavaScript: a POST (no address in any URL), the sentence, send again, the limit, another address', async () => {
    await forgetThisMachinesSignIns()
    const email = person('nojs')
    const path = eventPath(`nojs-${run}@test`)
    const page = await withoutJavaScript(`/sign-in?next=${encodeURIComponent(path)}`)
    expect(await page.getAttribute('[data-test="sign-in-form"]', 'method')).toBe('post')
    const since = Date.now()
    await page.fill('input[type="email"]', email)
    await Promise.all([page.waitForURL((at) => at.searchParams.get('notice') === 'sent'), page.click('button[type="submit"]')])
    expect(page.url()).not.toContain(encodeURIComponent(email))
    expect(page.url()).not.toContain(email)
    expect(new URL(page.url()).searchParams.get('next')).toBe(path)
    expect(await page.textContent('[data-test="sent"]')).toContain(SIGN_IN_NOTICES.sent)
    expect(await page.textContent('[data-test="sent-to"]')).toContain(email)
    await checkAsServed(page, 'first-run-sign-in-sent-no-js')
    const [first] = await signInLinks(email, since)
    expect(new URL(first!, url('/')).searchParams.get('next')).toBe(path)

    // "Send again" mails another link, until the per-address limit answers with its sentence.
    for (let sent = 1; sent < SIGN_IN_LIMITS.perAddress; sent++) {
      await Promise.all([page.waitForLoadState('load'), page.click('[data-test="send-again"]')])
      await page.waitForSelector('[data-test="sent"]')
    }
    await expect.poll(() => signInLinks(email, since).then((links) => links.length)).toBe(SIGN_IN_LIMITS.perAddress)
    await Promise.all([page.waitForURL((at) => at.searchParams.get('notice') === 'limited'), page.click('[data-test="send-again"]')])
    expect(await page.textContent('[data-test="error"][role="alert"]')).toBe(SIGN_IN_NOTICES.limited)
    expect(await page.textContent('[data-test="sent-to"]')).toContain(`The last link went to ${email}`)
    expect(await page.locator('[data-test="send-again"]').count()).toBe(1)
    await checkAsServed(page, 'first-run-sign-in-limited-no-js')

    await Promise.all([page.waitForURL((at) => !at.searchParams.has('notice')), page.click('[data-test="another-address"]')])
    expect(await page.inputValue('input[type="email"]')).toBe('')
    expect(new URL(page.url()).searchParams.get('next')).toBe(path)
    await page.close()
  })

  it('sends again and takes another address with JavaScript, without leaving the page', async () => {
    await forgetThisMachinesSignIns()
    const email = person('js')
    const page = await createPage('/sign-in')
    page.setDefaultTimeout(10_000)
    const since = Date.now()
    await page.fill('input[type="email"]', email)
    await page.click('button[type="submit"]')
    await page.waitForSelector('[data-test="sent"]')
    expect(new URL(page.url()).search).toBe('')
    expect(await page.textContent('[data-test="sent-to"]')).toContain(email)
    // The sentence takes the focus, so it is read out.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-test'))).toBe('sent')
    await checkPage(page, 'first-run-sign-in-sent')

    await page.click('[data-test="send-again"]')
    await expect.poll(() => page.textContent('[data-test="sent-to"]')).toMatch(/^\s*Another link went to/)
    await expect.poll(() => signInLinks(email, since).then((links) => links.length)).toBe(2)

    await page.click('[data-test="another-address"]')
    await page.waitForSelector('[data-test="sign-in-form"]')
    expect(await page.inputValue('input[type="email"]')).toBe('')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('email')
    await page.close()
  })
})
