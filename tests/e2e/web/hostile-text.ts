/**
 * Script and header injection through what organizers, attendees and visitors write, on the
 * built app. In Chromium, every page that shows such text (the public event page, its embed,
 * an organizer's and a domain's list, the dashboard's list, an event with its attendees, the
 * rejected mail, an owner's domain) shows `<script>`, `"><img onerror>` and `javascript:`
 * as text: no dialog opens, no policy violation is reported (injected markup would try to run
 * and be refused), no `javascript:` link exists. Over HTTP, CR/LF in an event's name, in
 * `next=`, in a form's address or in a route parameter adds no response header.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { createPage, fetch, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity, MailLogEntity, OrganizerEntity } from '../../../server/aws/table'
import { ensureOrganizerPublicId, ensurePublicId } from '../../../server/services/public-events'
import { setOwner } from '../../../server/services/owners'
import { rawSentMail } from '../../integration/support'
import { forgetThisMachinesSignIns, signIn } from '../session'
import { CHROMIUM } from './browser'

const run = randomUUID().slice(0, 8)
const domain = `hostile-${run}.example`
const organizer = `olga@${domain}`
const uid = `hostile-page-${run}@test`
const SCRIPT = '<script>alert(1)</script>'
const IMG = '"><img src=x onerror=alert(2)>'
const SUMMARY = `Launch ${SCRIPT}${IMG} ${run}`
const INJECTED = '\r\nX-Injected: yes'
let publicId = ''
let organizerPublicId = ''
// Signed in once, by the first test that needs it (the server's URL exists only inside tests).
let session: Promise<string> | undefined
const signedIn = () => (session ??= signIn(organizer))

beforeAll(async () => {
  await EventEntity.build(EntityRepository).put({
    uid, organizerEmail: organizer, organizerName: `Olga ${IMG}`, organizerDomain: domain, summary: SUMMARY, listed: true,
    description: `Agenda ${SCRIPT} <a href="javascript:alert(3)">slides</a> javascript:alert(4) ${IMG}`,
    location: 'javascript:alert(5)//https://example.org', start: '2031-05-01T10:00:00Z', end: '2031-05-01T11:00:00Z', dtstamp: '2030-01-01T00:00:00Z',
    attendeeCount: 2, counts: { accepted: 1, declined: 0, tentative: 0, needsAction: 1, delegated: 0, shared: 0 },
  })
  const attendees = AttendeeEntity.build(EntityRepository)
  await attendees.put({ eventUid: uid, email: `ann-${run}@guests.example`, name: `Ann ${SCRIPT}`, partstat: 'ACCEPTED', source: 'organizer', repliedAt: '2030-12-01T09:00:00Z', history: [{ partstat: 'ACCEPTED', at: '2030-12-01T09:00:00Z' }] })
  await attendees.put({ eventUid: uid, email: `ben-${run}@guests.example`, name: `Ben ${IMG}`, partstat: 'NEEDS-ACTION', source: 'organizer' })
  await MailLogEntity.build(EntityRepository).put({
    key: `hostile-${run}`, mailbox: 'create', sender: organizer, subject: `Invitation: ${SCRIPT}`, receivedAt: '2030-01-02T00:00:00Z', outcome: 'rejected', reason: `Unreadable ${IMG}`,
  })
  await OrganizerEntity.build(EntityRepository).update({ email: organizer, domain, name: `Olga ${IMG}` })
  // The organizer also owns the domain, so one session sees the owner's pages too.
  await setOwner(organizer, { systemOwner: false, domains: [domain] }, 'tests')
  publicId = (await ensurePublicId(uid))!
  organizerPublicId = (await ensureOrganizerPublicId(organizer))!
})

/** Opens `path` recording dialogs and policy violations from before the page's first script. */
async function recordedPage(path: string, cookie?: string) {
  const page: NuxtPage = await createPage()
  page.setDefaultTimeout(10_000)
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(window as unknown as { __violations: string[] }).__violations = seen
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`))
  })
  if (cookie) {
    const split = cookie.indexOf('=')
    await page.context().addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url: url('/') }])
  }
  await page.goto(url(path), { waitUntil: 'hydration' })
  return { page, dialogs, violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations) }
}

describe('hostile text on pages and in response headers', { tags: ['security'] }, () => {
  describe.skipIf(!existsSync(CHROMIUM))('in a browser', () => {
    const pages: [string, () => string, string[], boolean][] = [
      ['the public event page', () => `/events/${publicId}`, [SUMMARY, `Olga ${IMG}`, 'javascript:alert(4)'], false],
      ['the embed', () => `/embed/${publicId}`, [SUMMARY], false],
      ["the organizer's list", () => `/organizers/${organizerPublicId}`, [SUMMARY], false],
      ["the domain's list", () => `/domains/${domain}`, [SUMMARY], false],
      ['the dashboard', () => '/dashboard', [SUMMARY], true],
      ["the dashboard's event page with its attendees", () => `/dashboard/events/${encodeURIComponent(uid)}`, [SUMMARY, `Ann ${SCRIPT}`, `Ben ${IMG}`], true],
      ['the rejected mail', () => '/dashboard/mail', [`Invitation: ${SCRIPT}`, `Unreadable ${IMG}`], true],
      ["an owner's domain", () => `/dashboard/domains/${domain}`, [`Olga ${IMG}`], true],
    ]
    it.each(pages)('%s shows the text as text and runs none of it', async (_name, path, texts, asOrganizer) => {
      const { page, dialogs, violations } = await recordedPage(path(), asOrganizer ? await signedIn() : undefined)
      for (const text of texts) await expect.poll(() => page.locator('body').innerText(), { message: text }).toContain(text)
      // Give an injected handler the time to fire (an <img src=x> errors at once).
      await page.waitForLoadState('networkidle')
      expect(dialogs).toEqual([])
      expect(await violations()).toEqual([])
      expect(await page.locator('a[href^="javascript:" i], img[src="x"], [onerror]').count()).toBe(0)
      await page.close()
    })

    it('leads nowhere but this site after sign-in, whatever next= says', async () => {
      for (const next of ['javascript:alert(1)', '//evil.example/', 'https://evil.example/', '/\\evil.example']) {
        const { page, dialogs, violations } = await recordedPage(`/sign-in?next=${encodeURIComponent(next)}`)
        const carried = await page.locator('input[name="next"]').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))
        expect(carried.filter((value) => /javascript:|evil\.example/.test(value)), next).toEqual([])
        expect(dialogs).toEqual([])
        expect(await violations()).toEqual([])
        await page.close()
      }
    })
  })

  it('keeps CR/LF in an event name out of the Content-Disposition of its CSV report and .ics', async () => {
    const named = `hostile-name-${run}@test`
    await EventEntity.build(EntityRepository).put({
      uid: named, organizerEmail: organizer, organizerDomain: domain, summary: `Q1 "review"${INJECTED}\r\nContent-Type: text/html`, start: '2031-06-01T10:00:00Z', dtstamp: '2030-01-01T00:00:00Z',
    })
    const namedPublicId = (await ensurePublicId(named))!
    const cookie = await signedIn()
    for (const [path, headers] of [[`/api/events/${encodeURIComponent(named)}/report.csv`, { cookie }], [`/events/${namedPublicId}/event.ics`, {}]] as const) {
      const response = await fetch(path, { headers })
      expect(response.status, path).toBe(200)
      expect(response.headers.get('x-injected'), path).toBeNull()
      expect(response.headers.get('content-type'), path).not.toContain('text/html')
      const disposition = response.headers.get('content-disposition') ?? ''
      // One filename parameter (and its UTF-8 form), without a quote or line break of the name's.
      expect(disposition, path).toMatch(/^attachment; filename="[^"\r\n]+"(?:; filename\*=UTF-8''[^\s"']+)?$/)
    }
  })

  it('adds no header from CR/LF in next=, a form address or a route parameter', async () => {
    // next= is carried by the mailed link and becomes the redirect's Location.
    await forgetThisMachinesSignIns()
    const email = `nina-${run}@${domain}`
    const since = Date.now()
    const asked = await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, next: `/dashboard${INJECTED}` }) })
    // Any next= that is no plain path on this site opens the dashboard.
    expect(asked.status).toBe(202)
    const [mail] = await rawSentMail(since, email)
    const link = new URL(/^(http\S+\/sign-in\/verify\?\S+)$/m.exec((await PostalMime.parse(mail!.raw)).text ?? '')![1]!)
    const opened = await fetch(link.pathname + link.search, { redirect: 'manual' })
    expect(opened.headers.get('x-injected')).toBeNull()
    expect(opened.headers.get('location')).toBe('/dashboard')
    const verify = await fetch(`/sign-in/verify?token=x&next=${encodeURIComponent(`/dashboard${INJECTED}`)}`, { redirect: 'manual' })
    expect(verify.headers.get('x-injected')).toBeNull()

    // An address with a line break is refused with a sentence, by the sign-in and the public form.
    for (const [path, body] of [['/api/auth/sign-in', { email: `a-${run}@guests.example\r\nBcc: evil@attacker.example` }], [`/api/public/events/${publicId}/invite-requests`, { email: `a-${run}@guests.example\r\nBcc: evil@attacker.example` }]] as const) {
      const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(response.status, path).toBe(400)
      expect((await response.json()).message, path).toBe('Give a valid email address.')
    }

    // A list id with a line break names no list: a 404 sentence, no header of its own.
    const cookie = await signedIn()
    const list = await fetch(`/api/lists/${encodeURIComponent(`abc${INJECTED}`)}/rejected.csv`, { headers: { cookie } })
    expect([400, 404]).toContain(list.status)
    expect(list.headers.get('x-injected')).toBeNull()
    expect(list.headers.get('content-disposition')).toBeNull()
  })
})
