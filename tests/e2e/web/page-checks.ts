/**
 * What every page must be, checked the same way by each browser suite: a screenshot at
 * desktop (1366 px) and phone (390 px) width in tests/artifacts/, no document wider than its
 * viewport, and no serious or critical axe-core finding. (Imported by the suites; it has no
 * tests of its own.)
 */
import { expect } from 'vitest'
import { createRequire } from 'node:module'
import type { NuxtPage } from '@nuxt/test-utils/e2e'
import { artifacts } from './browser'

export const DESKTOP = { width: 1366, height: 900 }
export const PHONE = { width: 390, height: 844 }
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

/** Serious or critical axe-core findings on the page as it is now, as `rule: [targets]`. */
export async function accessibilityProblems(page: NuxtPage): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axeSource })
  type Axe = { run(): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> }
  const { violations } = await page.evaluate(() => (window as unknown as { axe: Axe }).axe.run())
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`)
}

/** How far the document is wider than the viewport, in CSS pixels (0 when it fits). */
export const overflow = (page: NuxtPage) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)

/**
 * At each width: resize, screenshot to tests/artifacts/<name>-<width>.png (the whole page),
 * and expect no sideways scrolling and no serious accessibility finding.
 */
export async function checkPage(page: NuxtPage, name: string, widths: { width: number; height: number }[] = [DESKTOP, PHONE]) {
  for (const viewport of widths) {
    await page.setViewportSize(viewport)
    // One frame for the layout to follow the new width.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(undefined))))
    await page.screenshot({ path: `${artifacts}${name}-${viewport.width}.png`, fullPage: true })
    expect(await overflow(page), `${name} at ${viewport.width} px is wider than the viewport`).toBeLessThanOrEqual(0)
    expect(await accessibilityProblems(page), `${name} at ${viewport.width} px`).toEqual([])
  }
}
