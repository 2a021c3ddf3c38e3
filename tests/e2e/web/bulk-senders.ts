/**
 * Bulk senders managed in the dashboard, in headless Chromium (see browser.ts): a system
 * owner adds one, changes the limit and removes it after confirming, and what the page
 * shows is what the service (which the bulk mailbox asks) then holds. Someone who is not a
 * system owner has no link and sees the API's refusal. Screenshots at desktop and 390 px wide.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { existsSync, mkdirSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { setOwner } from '../../../server/services/owners'
import { bulkSenderOf } from '../../../server/services/bulk-senders'
import { signIn } from '../session'
import { artifacts, CHROMIUM, signedInPage } from './browser'

describe.skipIf(!existsSync(CHROMIUM))('bulk senders in the dashboard (browser)', () => {
  const run = randomUUID().slice(0, 8)
  const sam = `sam-${run}@browser-bulk.example`
  const dora = `dora-${run}@browser-bulk.example`
  const sender = `lists-${run}@partner-bulk.example`
  const cookies = { sam: '', dora: '' }

  beforeAll(async () => {
    await setOwner(sam, { systemOwner: true, domains: [] }, 'tests')
    await setOwner(dora, { systemOwner: false, domains: ['partner-bulk.example'] }, 'tests')
  })

  it('signs a system owner and a domain owner in', async () => {
    cookies.sam = await signIn(sam)
    cookies.dora = await signIn(dora)
  })

  it('lets a system owner add a bulk sender, change the limit and remove them', async () => {
    mkdirSync(artifacts, { recursive: true })
    const dashboard = await signedInPage(cookies.sam, '/dashboard')
    await dashboard.click('[data-test="bulk-senders-link"]')
    await dashboard.waitForURL(/\/dashboard\/bulk-senders$/)
    await dashboard.close()

    const page = await signedInPage(cookies.sam, '/dashboard/bulk-senders')
    const answer = page.locator('[data-test="bulk-sender-answer"]')
    const row = page.locator(`[data-test="bulk-sender-${sender}"]`)

    // Checked with the API's schema first: a limit out of range is named and nothing is added.
    await page.fill('[data-test="new-email"]', sender.toUpperCase())
    await page.fill('[data-test="new-limit"]', '0')
    await page.click('[data-test="bulk-sender-form"] button[type="submit"]')
    await expect.poll(() => answer.textContent().catch(() => null)).toBe('The daily limit is a whole number from 1 to 1,000,000.')
    expect(await answer.getAttribute('role')).toBe('alert')
    expect(await bulkSenderOf(sender)).toBeNull()

    await page.fill('[data-test="new-limit"]', '250')
    await page.click('[data-test="bulk-sender-form"] button[type="submit"]')
    await expect.poll(() => answer.textContent().catch(() => null)).toBe(`${sender} is a bulk sender, with a daily limit of 250 invitations.`)
    await expect.poll(() => row.locator('[data-test="limit"]').textContent().catch(() => null)).toBe('250')
    expect(await row.textContent()).toContain(sam)
    expect(await bulkSenderOf(sender)).toMatchObject({ email: sender, dailyLimit: 250, addedBy: sam })
    await page.screenshot({ path: `${artifacts}dashboard-bulk-senders.png`, fullPage: true })

    // Change the limit: 1,200, then back to the default (an empty limit).
    await row.locator('[data-test="change-limit"]').click()
    await row.locator('[data-test="limit-form"] input').fill('1200')
    await row.locator('[data-test="limit-form"] button[type="submit"]').click()
    await expect.poll(() => row.locator('[data-test="limit"]').textContent().catch(() => null)).toBe('1,200')
    expect(await bulkSenderOf(sender)).toMatchObject({ dailyLimit: 1200 })
    await row.locator('[data-test="change-limit"]').click()
    await row.locator('[data-test="limit-form"] input').fill('')
    await row.locator('[data-test="limit-form"] button[type="submit"]').click()
    await expect.poll(() => row.locator('[data-test="limit"]').textContent().catch(() => null)).toBe('default')
    expect(await answer.textContent()).toBe(`${sender} is a bulk sender, with the server's default daily limit.`)
    expect(await bulkSenderOf(sender)).toMatchObject({ dailyLimit: null })

    // At 390 px the table fits the screen: no horizontal scroll.
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: `${artifacts}dashboard-bulk-senders-390.png`, fullPage: true })
    await page.setViewportSize({ width: 1280, height: 720 })

    // Remove asks first; keeping changes nothing, confirming removes.
    await row.locator('[data-test="remove"]').click()
    await row.locator('[data-test="remove-confirm"] button:has-text("Keep")').click()
    expect(await bulkSenderOf(sender)).not.toBeNull()
    await row.locator('[data-test="remove"]').click()
    await page.screenshot({ path: `${artifacts}dashboard-bulk-senders-remove.png` })
    await row.locator('[data-test="remove-yes"]').click()
    await expect.poll(() => answer.textContent().catch(() => null)).toBe(`${sender} is no longer a bulk sender.`)
    await expect.poll(() => row.count()).toBe(0)
    expect(await bulkSenderOf(sender)).toBeNull()
    await page.close()
  })

  it('shows someone who is not a system owner no link, and the API\'s refusal on the page', async () => {
    const dashboard = await signedInPage(cookies.dora, '/dashboard')
    expect(await dashboard.locator('[data-test="bulk-senders-link"]').count()).toBe(0)
    await dashboard.close()
    const page = await signedInPage(cookies.dora, '/dashboard/bulk-senders')
    expect(await page.textContent('[data-test="bulk-senders-error"]')).toBe('Only system owners may do this.')
    expect(await page.locator('[data-test="bulk-sender-form"]').count()).toBe(0)
    await page.close()
  })
})
