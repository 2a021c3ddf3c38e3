import { describe, it, expect, beforeAll } from 'vitest'
import { $fetch, fetch } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity } from '../../../server/aws/table'

describe('landing page', () => {
  const events = EventEntity.build(EntityRepository)
  const nextMonth = new Date(Date.now() + 20 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z')

  beforeAll(async () => {
    await events.put({
      uid: 'landing-listed@test',
      organizerEmail: 'alice@example.com',
      organizerDomain: 'example.com',
      summary: 'Team offsite <script>alert(1)</script>',
      start: nextMonth,
      dtstamp: '2026-01-01T00:00:00Z',
      listed: true,
    })
    await events.put({
      uid: 'landing-private@test',
      organizerEmail: 'alice@example.com',
      organizerDomain: 'example.com',
      summary: 'Private board meeting',
      start: nextMonth,
      dtstamp: '2026-01-01T00:00:00Z',
    })
  })

  it('lists upcoming listed events, escaped, and leaves unlisted ones out', { tags: ['security'] }, async () => {
    // The server remembers the list for a few seconds: another suite may have read it just before.
    await expect.poll(() => $fetch<string>('/?q=offsite'), { timeout: 10_000, interval: 500 }).toContain('Team offsite')
    const html = await $fetch<string>('/?q=offsite')
    expect(html).toContain('Team offsite &lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).not.toContain('Private board meeting')
  })

  it('reports the table as reachable on the health endpoint', async () => {
    const response = await fetch('/api/health')
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, stack: 'local' })
  })
})
