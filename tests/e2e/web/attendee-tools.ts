/**
 * The attendee tools of the event page in headless Chromium, on a busy event of 60
 * attendees: natural order (Person 2 before Person 10), the filter, search and order in the
 * page's address (kept on reload, and working without JavaScript), the response figures,
 * a shared replier's label, resending one invitation and removing one attendee (after a
 * confirmation; they are sent a CANCEL), and a queued invitation whose status changes by
 * itself once the send worker (run by the test) has sent it.
 * Screenshots: tests/artifacts/event-busy-*.png, event-busy-filtered-*.png.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { EntityRepository } from 'dynamodb-toolbox'
import { createPage, url, type NuxtPage } from '@nuxt/test-utils/e2e'
import { AttendeeEntity } from '../../../server/aws/table'
import { loadEvent } from '../../../server/services/event-store'
import { inviteMany, inviteToEvent } from '../../../server/services/invitations'
import { organizerCreatesEvent, rawSentMail, runSendQueue } from '../../integration/support'
import { signIn } from '../session'
import { artifacts, CHROMIUM, signedInPage } from './browser'
import { checkPage } from './page-checks'

const run = randomUUID().slice(0, 8)
const organizer = `bea-${run}@busy.example`
const uid = `busy-${run}@test`
const person = (n: number) => `person${n}-${run}@guests.example`
const eventPath = `/dashboard/events/${encodeURIComponent(uid)}`

const names = (page: NuxtPage) => page.$$eval('[data-test="attendee-row"] [data-test="attendee-name"]', (cells) => cells.map((cell) => cell.textContent?.trim() ?? ''))
const rowOf = (email: string) => `[data-test="attendee-row"][data-email="${email}"]`

describe.skipIf(!existsSync(CHROMIUM))('attendee tools on a busy event', () => {
  let session: Promise<string> | undefined
  const signedIn = () => (session ??= signIn(organizer))

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    await organizerCreatesEvent(uid, organizer, 'Bea', 'Busy meetup')
    const rows = Array.from({ length: 60 }, (_, index) => ({ email: person(index + 1), name: `Person ${index + 1}` }))
    const results = await inviteMany((await loadEvent(uid))!, rows, { origin: 'api', invitedBy: organizer })
    expect(results.every((result) => result.outcome === 'queued')).toBe(true)
    await runSendQueue()
    // Answers as replies would leave them: every third yes, every fifth no, every seventh maybe.
    const attendees = AttendeeEntity.build(EntityRepository)
    await Promise.all(
      rows.map(({ email }, index) => {
        const n = index + 1
        const partstat = n % 3 === 0 ? 'ACCEPTED' : n % 5 === 0 ? 'DECLINED' : n % 7 === 0 ? 'TENTATIVE' : null
        return partstat ? attendees.update({ eventUid: uid, email, partstat, repliedAt: new Date(Date.UTC(2026, 10, 1, 0, n)).toISOString() }) : undefined
      }),
    )
    await attendees.put({ eventUid: uid, email: `forwarded-${run}@guests.example`, name: 'Fern Forwarded', partstat: 'ACCEPTED', source: 'shared', repliedAt: '2026-11-20T10:00:00.000Z' })
  })

  it('lists everyone in natural order with the response figures and the shared label', async () => {
    const page = await signedInPage(await signedIn(), eventPath)
    await page.waitForSelector('[data-test="attendee-summary"]')
    // 60 invited: 20 yes, 8 no (multiples of 5, not of 3), 5 maybe (multiples of 7, neither) answered 33; Fern (a shared invite) comes too.
    expect(await page.textContent('[data-test="attendee-summary"]')).toMatch(/55%\s*answered \(33 of 60 invited\).*26 coming \(21 yes, 5 maybe\).*1 from shared invites/s)
    expect((await names(page)).slice(0, 12)).toEqual(['Fern Forwarded', 'Person 1', 'Person 2', 'Person 3', 'Person 4', 'Person 5', 'Person 6', 'Person 7', 'Person 8', 'Person 9', 'Person 10', 'Person 11'])
    expect(await page.textContent(`${rowOf(`forwarded-${run}@guests.example`)} [data-test="shared-badge"]`)).toBe('Shared invite')
    expect(await page.isVisible(`${rowOf(person(1))} [data-test="shared-badge"]`)).toBe(false)
    await page.click('[data-test="attendees-more"] button')
    await page.waitForFunction(() => document.querySelectorAll('[data-test="attendee-row"]').length === 61)
    expect((await names(page)).at(-1)).toBe('Person 60')
    await checkPage(page, 'event-busy')
    await page.close()
  })

  it('filters, searches and sorts through the address, kept on reload', async () => {
    const page = await signedInPage(await signedIn(), eventPath)
    await page.selectOption('[data-test="filter-status"]', 'ACCEPTED')
    await page.click('[data-test="filter-apply"]')
    await page.waitForFunction(() => location.search.includes('status=ACCEPTED'))
    await page.waitForFunction(() => document.querySelector('[data-test="attendee-matching"]')?.textContent?.includes('21 attendees match'))
    const answers = await page.$$eval('[data-test="attendee-answer"]', (cells) => [...new Set(cells.map((cell) => cell.textContent))])
    expect(answers).toEqual(['Yes'])
    await page.goto(page.url(), { waitUntil: 'hydration' })
    expect(await page.inputValue('[data-test="filter-status"]')).toBe('ACCEPTED')
    expect((await names(page)).slice(0, 3)).toEqual(['Fern Forwarded', 'Person 3', 'Person 6'])
    await checkPage(page, 'event-busy-filtered')

    await page.selectOption('[data-test="filter-status"]', '')
    await page.fill('[data-test="filter-q"]', 'person 1')
    await page.selectOption('[data-test="filter-sort"]', 'name')
    await page.click('[data-test="filter-apply"]')
    await page.waitForFunction(() => new URLSearchParams(location.search).get('q') === 'person 1')
    await page.waitForFunction(() => document.querySelectorAll('[data-test="attendee-row"]').length === 11)
    expect(await names(page)).toEqual(['Person 1', ...Array.from({ length: 10 }, (_, index) => `Person ${10 + index}`)])

    await page.fill('[data-test="filter-q"]', '')
    await page.selectOption('[data-test="filter-sort"]', 'replied')
    await page.click('[data-test="filter-apply"]')
    await page.waitForFunction(() => new URLSearchParams(location.search).get('sort') === 'replied' && !location.search.includes('q='))
    // Fern replied on 20 November, after everyone else (1 November, a minute apart): the latest first.
    await page.waitForFunction(() => document.querySelector('[data-test="attendee-name"]')?.textContent?.trim() === 'Fern Forwarded')
    expect((await names(page)).slice(0, 3)).toEqual(['Fern Forwarded', 'Person 60', 'Person 57'])
    await page.close()
  })

  it('filters without JavaScript (a GET form, rendered on the server)', async () => {
    const cookie = await signedIn()
    const page = await createPage(undefined, { javaScriptEnabled: false })
    const split = cookie.indexOf('=')
    await page.context().addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url: url('/') }])
    await page.goto(url(eventPath), { waitUntil: 'load' })
    // The address as the browser has it: one the server wrote with the UID decoded made the
    // page's script find another attribute than the server had rendered (a hydration mismatch).
    expect(await page.getAttribute('[data-test="attendee-filters"]', 'action')).toBe(`${new URL(url(eventPath)).pathname}#attendees`)
    await page.selectOption('[data-test="filter-status"]', 'DECLINED')
    await Promise.all([page.waitForURL(/status=DECLINED/), page.click('[data-test="filter-apply"]')])
    expect(await page.textContent('[data-test="attendee-matching"]')).toContain('8 attendees match')
    expect(await names(page)).toEqual(['Person 5', 'Person 10', 'Person 20', 'Person 25', 'Person 35', 'Person 40', 'Person 50', 'Person 55'])
    await page.close()
  })

  it('resends one invitation, whose status changes by itself once sent', async () => {
    const page = await signedInPage(await signedIn(), `${eventPath}?q=${encodeURIComponent(person(4))}`)
    await page.waitForSelector(`${rowOf(person(4))} [data-test="resend"]`)
    expect(await page.textContent(`${rowOf(person(4))} [data-test="attendee-invitation"]`)).toBe('Sent')
    const since = Date.now()
    await page.click(`${rowOf(person(4))} [data-test="resend"]`)
    await page.waitForSelector('[data-test="attendee-action"]')
    expect(await page.textContent('[data-test="attendee-action"]')).toContain('queued to be sent again')
    await page.waitForFunction((row) => document.querySelector(`${row} [data-test="attendee-invitation"]`)?.textContent === 'Queued', rowOf(person(4)))
    await runSendQueue()
    // No reload: the list reads itself again while an invitation is queued.
    await page.waitForFunction((row) => document.querySelector(`${row} [data-test="attendee-invitation"]`)?.textContent === 'Sent', rowOf(person(4)), { timeout: 15_000 })
    expect(await rawSentMail(since, person(4))).toHaveLength(1)
    await page.close()
  })

  it('shows a new invitation as queued, then sent without a reload', async () => {
    const newcomer = `newcomer-${run}@guests.example`
    expect(await inviteToEvent({ eventUid: uid, email: newcomer, origin: 'api', invitedBy: organizer })).toMatchObject({ outcome: 'queued' })
    const page = await signedInPage(await signedIn(), eventPath)
    const status = `[data-test="invitation-row"][data-email="${newcomer}"] [data-test="invitation-status"]`
    await page.waitForSelector(status)
    expect(await page.textContent(status)).toBe('queued')
    expect(await page.isVisible('[data-test="invitations-queued"]')).toBe(true)
    await runSendQueue()
    await page.waitForFunction((selector) => document.querySelector(selector)?.textContent === 'sent', status, { timeout: 15_000 })
    await page.waitForSelector('[data-test="invitations-queued"]', { state: 'detached' })
    await page.close()
  })

  it('removes an attendee after a confirmation; they are sent a CANCEL', async () => {
    const page = await signedInPage(await signedIn(), `${eventPath}?q=${encodeURIComponent(person(59))}`)
    await page.click(`${rowOf(person(59))} [data-test="remove"]`)
    await page.waitForSelector('[data-test="remove-confirm"]')
    // "Keep" changes nothing.
    await page.click('[data-test="remove-no"]')
    expect(await page.isVisible(rowOf(person(59)))).toBe(true)
    await page.click(`${rowOf(person(59))} [data-test="remove"]`)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-test'))).toBe('remove-yes')
    const since = Date.now()
    await page.click('[data-test="remove-yes"]')
    await page.waitForSelector('[data-test="attendee-action"]')
    expect(await page.textContent('[data-test="attendee-action"]')).toContain('removed')
    await page.waitForSelector(rowOf(person(59)), { state: 'detached' })
    expect(await page.textContent('[data-test="attendees-empty"]')).toContain('No attendee matches')
    await runSendQueue()
    const [mail] = await rawSentMail(since, person(59))
    const parsed = await PostalMime.parse(mail!.raw)
    const calendar = parsed.attachments.find((attachment) => attachment.mimeType === 'text/calendar')
    // Unfolded (RFC 5545 folds long lines; a parser joins them).
    const text = (typeof calendar?.content === 'string' ? calendar.content : new TextDecoder().decode(calendar?.content)).replace(/\r?\n[ \t]/g, '')
    expect(text).toMatch(/^METHOD:CANCEL\r?$/m)
    expect(text).toMatch(new RegExp(`^ATTENDEE.*mailto:${person(59)}`, 'mi'))
    await page.close()
  })
})
