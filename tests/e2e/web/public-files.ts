/** public/ is served as it is: the icon every page names, and robots.txt. */
import { describe, it, expect } from 'vitest'
import { $fetch, fetch } from '@nuxt/test-utils/e2e'

describe('public files', () => {
  it('serves the icon the pages link to', async () => {
    const page = await $fetch<string>('/sign-in')
    expect(page).toMatch(/<link [^>]*rel="icon" type="image\/svg\+xml" href="\/favicon\.svg">/)
    const icon = await fetch('/favicon.svg')
    expect(icon.status).toBe(200)
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/)
  })

  it('serves robots.txt that keeps crawlers out of the dashboard, sign-in, the API and unsubscribe links', async () => {
    const robots = await fetch('/robots.txt')
    expect(robots.status).toBe(200)
    const text = await robots.text()
    for (const path of ['/dashboard', '/sign-in', '/api/', '/unsubscribe/']) expect(text).toMatch(new RegExp(`^Disallow: ${path}$`, 'm'))
  })
})
