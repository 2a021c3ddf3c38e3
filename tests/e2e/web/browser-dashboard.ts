/**
 * The dashboard's interactive parts in headless Chromium (see browser.ts): "Load more" on the
 * events list, the owners form, API tokens made and revoked, and signing out. Each checks
 * what the page shows and what the server then allows. Screenshots go to tests/artifacts/.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { fetch, url } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity } from '../../../server/aws/table'
import { setOwner } from '../../../server/services/owners'
import { signIn } from '../session'
import { artifacts, CHROMIUM, signedInPage } from './browser'

const events = EventEntity.build(EntityRepository)
const attendees = AttendeeEntity.build(EntityRepository)

describe.skipIf(!existsSync(CHROMIUM))('dashboard interactions in a browser (load more, owners, listing, tokens, sign-out)', () => {
  const run = randomUUID().slice(0, 8)
  const lola = `lola-${run}@browser-more.example`
  const sam = `sam-${run}@browser-owners.example`
  const dora = `dora-${run}@browser-owners.example`
  const domain = `org-b-${run}.example`
  const olga = `olga@${domain}`
  const crowded = `crowded-${run}@test`
  const titleOf = (n: number) => `Meetup ${String(n).padStart(2, '0')} ${run}`
  const cookies = { lola: '', sam: '', dora: '' }
  const me = (headers: Record<string, string>) => fetch('/api/auth/me', { headers })

  beforeAll(async () => {
    // 55 upcoming events: a page (50) and five more, one minute apart.
    await Promise.all(
      Array.from({ length: 55 }, (_, n) =>
        events.put({
          uid: `more-${run}-${n}@test`, organizerEmail: lola, organizerDomain: 'browser-more.example', summary: titleOf(n),
          start: `2033-03-01T09:${String(n).padStart(2, '0')}:00Z`, dtstamp: '2030-01-01T00:00:00Z',
        }),
      ),
    )
    await events.put({ uid: `owned-${run}@test`, organizerEmail: olga, organizerDomain: domain, summary: `Olga's review ${run}`, start: '2033-04-01T10:00:00Z', dtstamp: '2030-01-01T00:00:00Z' })
    await setOwner(sam, { systemOwner: true, domains: [] }, 'tests')
    // A past event of Lola's (off her upcoming list) with 55 attendees: a page of attendees (50) and five more.
    await events.put({ uid: crowded, organizerEmail: lola, organizerDomain: 'browser-more.example', summary: `Crowded ${run}`, start: '2025-05-01T10:00:00Z', dtstamp: '2030-01-01T00:00:00Z', attendeeCount: 55 })
    await Promise.all(Array.from({ length: 55 }, (_, n) => attendees.put({ eventUid: crowded, email: `guest${String(n).padStart(2, '0')}@crowd.example`, partstat: 'ACCEPTED', source: 'organizer' })))
  })

  // The test context (the server's URL) exists only inside tests, so sign-in happens in the first.
  it('signs the organizer, a system owner and a future domain owner in', async () => {
    cookies.lola = await signIn(lola)
    cookies.sam = await signIn(sam)
    cookies.dora = await signIn(dora)
  })

  it('loads the next page of events with "Load more", in order, until there is none', async () => {
    const page = await signedInPage(cookies.lola, '/dashboard')
    const titles = () => page.locator('[data-test="events"] li p.font-medium').allTextContents()
    const first = await titles()
    expect(first).toHaveLength(50)
    expect(first[0]).toBe(titleOf(0))
    expect(first[49]).toBe(titleOf(49))

    await page.click('button:has-text("Load more")')
    await expect.poll(async () => (await titles()).length).toBe(55)
    expect(await titles()).toEqual(Array.from({ length: 55 }, (_, n) => titleOf(n)))
    // The last page has no cursor, so the button is gone.
    expect(await page.locator('button:has-text("Load more")').count()).toBe(0)
    await page.screenshot({ path: `${artifacts}dashboard-load-more.png`, fullPage: true })
    await page.close()
  })

  it('loads the next page of an event\'s attendees with "Load more"', async () => {
    const page = await signedInPage(cookies.lola, `/dashboard/events/${encodeURIComponent(crowded)}`)
    const rows = page.locator('[data-test="attendees"] tbody tr')
    expect(await rows.count()).toBe(50)
    await page.click('button:has-text("Load more")')
    await expect.poll(() => rows.count()).toBe(55)
    expect(await rows.last().textContent()).toContain('guest54@crowd.example')
    expect(await page.locator('button:has-text("Load more")').count()).toBe(0)
    await page.close()
  })

  it('lets a system owner name a domain owner, who then oversees that domain\'s organizers', async () => {
    // Before: the domain is not Dora's.
    expect((await fetch(`/api/events?organizer=${encodeURIComponent(olga)}`, { headers: { cookie: cookies.dora } })).status).toBe(404)

    const page = await signedInPage(cookies.sam, '/dashboard/domains')
    const answer = page.locator('[data-test="owner-answer"]')
    // The form checks with the API's own schema: a mistyped domain is named, and nothing is sent.
    const sent: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/owners/')) sent.push(request.method())
    })
    await page.fill('[data-test="owner-form"] input[type="email"]', dora)
    await page.fill('[data-test="owner-form"] input[type="text"]', `${domain}, not_a_domain`)
    await page.click('[data-test="owner-form"] button[type="submit"]')
    await expect.poll(() => answer.textContent().catch(() => null)).toBe('“not_a_domain” is not a domain name: give one such as example.com.')
    expect(await answer.getAttribute('role')).toBe('alert')
    expect(sent).toEqual([])

    await page.fill('[data-test="owner-form"] input[type="text"]', domain)
    await page.click('[data-test="owner-form"] button[type="submit"]')
    await expect.poll(() => answer.textContent().catch(() => null)).toBe(`${dora} now oversees: ${domain}.`)
    expect(await answer.getAttribute('role')).toBe('status')
    // The owners list is read again and names her with the domain.
    await expect.poll(() => page.locator(`[data-test="owners"] li:has-text("${dora}")`).textContent().catch(() => null)).toContain(domain)
    await page.screenshot({ path: `${artifacts}dashboard-owners.png`, fullPage: true })
    await page.close()

    // After: her session carries the domain; she sees Olga's events, and the Domains link.
    expect(await (await me({ cookie: cookies.dora })).json()).toMatchObject({ email: dora, systemOwner: false, ownedDomains: [domain] })
    const list = await fetch(`/api/events?organizer=${encodeURIComponent(olga)}`, { headers: { cookie: cookies.dora } })
    expect(list.status).toBe(200)
    expect(await list.json()).toMatchObject({ events: [{ uid: `owned-${run}@test` }] })
    const doraPage = await signedInPage(cookies.dora, `/dashboard?organizer=${encodeURIComponent(olga)}`)
    expect(await doraPage.textContent('[data-test="events"]')).toContain(`Olga's review ${run}`)
    expect(await doraPage.locator('[data-test="domains-link"]').count()).toBe(1)
    await doraPage.close()
  })

  it('makes an API token that works, shows it once, and revokes it', async () => {
    const page = await signedInPage(cookies.lola, '/dashboard/tokens')
    const label = `browser agent ${run}`
    await page.fill('[data-test="token-form"] input', label)
    await page.click('[data-test="token-form"] button[type="submit"]')
    const token = (await page.textContent('[data-test="new-token"] code'))!
    expect(token).toMatch(/^cis_\S+$/)
    const row = page.locator(`[data-test="tokens"] tr:has-text("${label}")`)
    await row.waitFor()
    expect(await row.textContent()).toContain('never')
    expect(await page.textContent('[data-test="tokens"]')).not.toContain(token)
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200)
    expect(await (await me({ authorization: `Bearer ${token}` })).json()).toMatchObject({ email: lola })
    await page.screenshot({ path: `${artifacts}dashboard-tokens.png`, fullPage: true })

    // Revoking asks first; "Keep" leaves the token as it was.
    await row.locator('[data-test="revoke"]').click()
    await row.locator('[data-test="revoke-keep"]').click()
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200)
    await row.locator('[data-test="revoke"]').click()
    await row.locator('[data-test="revoke-yes"]').click()
    await row.waitFor({ state: 'detached' })
    expect(await page.locator('[data-test="no-tokens"]').count()).toBe(1)
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(401)
    await page.close()
  })

  it('lets the organizer list an event and shows its public address; an owner sees the state but no toggle', async () => {
    const listedUid = `listed-${run}@test`
    await events.put({ uid: listedUid, organizerEmail: olga, organizerDomain: domain, summary: `Open day ${run}`, start: '2033-05-01T10:00:00Z', dtstamp: '2030-01-01T00:00:00Z' })
    const olgaCookie = await signIn(olga)
    const page = await signedInPage(olgaCookie, `/dashboard/events/${encodeURIComponent(listedUid)}`)
    const publicUrl = await page.locator('[data-test="public-url"]').textContent()
    expect(publicUrl).toMatch(/\/events\/[A-Za-z0-9_-]{16}$/)
    expect(await page.locator('[data-test="listed-state"]').textContent()).toContain('Not listed')
    await page.check('[data-test="listed-toggle"]')
    await expect.poll(() => page.locator('[data-test="listed-state"]').textContent()).toContain('Listed on the public pages')
    await page.screenshot({ path: `${artifacts}dashboard-event-listed.png`, fullPage: true })
    await page.close()
    // The server has it: the public view of the event says listed.
    const publicId = publicUrl!.split('/').pop()!
    expect(((await (await fetch(`/api/public/events/${publicId}`)).json()) as { listed: boolean }).listed).toBe(true)

    // A system owner oversees the event but does not decide for the organizer.
    const ownerPage = await signedInPage(cookies.sam, `/dashboard/events/${encodeURIComponent(listedUid)}`)
    expect(await ownerPage.locator('[data-test="listed-state"]').textContent()).toContain('Listed on the public pages')
    expect(await ownerPage.locator('[data-test="listed-toggle"]').count()).toBe(0)
    await ownerPage.close()
  })

  it('signs out: the dashboard sends the browser to sign-in, and the old cookie no longer works', async () => {
    const page = await signedInPage(cookies.lola, '/dashboard')
    expect(await page.textContent('[data-test="signed-in"]')).toContain(lola)
    await page.click('button:has-text("Sign out")')
    await page.waitForURL(url('/sign-in'))
    expect(await page.locator('[data-test="signed-in"]').count()).toBe(0)
    // The browser may hold a new, empty session cookie (nuxt-auth-utils sets one when asked), never the old one.
    const [name, value] = [cookies.lola.slice(0, cookies.lola.indexOf('=')), cookies.lola.slice(cookies.lola.indexOf('=') + 1)]
    expect((await page.context().cookies()).find((cookie) => cookie.name === name)?.value).not.toBe(value)

    await page.goto(url('/dashboard'), { waitUntil: 'hydration' })
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    await page.screenshot({ path: `${artifacts}dashboard-signed-out.png`, fullPage: true })
    await page.close()

    // A copy of the old cookie: the session it names has ended.
    expect((await me({ cookie: cookies.lola })).status).toBe(401)
    const dashboard = await fetch('/dashboard', { headers: { cookie: cookies.lola }, redirect: 'manual' })
    expect(dashboard.status).toBe(302)
    expect(dashboard.headers.get('location')).toBe('/sign-in')
  })
})
