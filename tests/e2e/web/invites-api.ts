import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { fetch } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity } from '../../../server/aws/table'
import { createApiToken, revokeApiToken } from '../../../server/services/api-tokens'
import { unsubscribeUrl } from '../../../server/services/invitations'
import { config } from '../../../server/config'
import { loadInvitation } from '../../../server/services/invitations'

const events = EventEntity.build(EntityRepository)

describe('invite API (POST/GET /api/events/{uid}/invites)', () => {
  const uid = `api-${randomUUID()}@test`
  const path = `/api/events/${encodeURIComponent(uid)}/invites`
  let alice: string
  let bob: string

  const call = (token: string | null, init: { method?: string; body?: unknown; query?: string } = {}) =>
    fetch(`${path}${init.query ?? ''}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    })

  beforeAll(async () => {
    await events.put({
      uid, organizerEmail: 'alice@org-a.example', organizerName: 'Alice', organizerDomain: 'org-a.example', summary: 'API launch',
      start: '2027-02-01T10:00:00Z', dtstamp: '2026-11-01T00:00:00Z',
    })
    alice = (await createApiToken('alice@org-a.example', 'tests')).token
    bob = (await createApiToken('bob@org-b.example', 'tests')).token
  })

  it('asks anonymous callers to authenticate, with a sentence', async () => {
    const response = await call(null, { body: { email: 'guest@example.org' } })
    expect(response.status).toBe(401)
    expect((await response.json()).message).toMatch(/API token/)
  })

  it('answers 404 to another organizer, for reading and for sending, exactly as for no event', async () => {
    for (const init of [{ body: { email: 'guest@example.org' } }, {}]) {
      const response = await call(bob, init)
      expect(response.status).toBe(404)
      expect((await response.json()).message).toBe('There is no such event among yours.')
    }
    const missing = await fetch(`/api/events/no-such-${randomUUID()}/invites`, { headers: { authorization: `Bearer ${alice}` } })
    expect(missing.status).toBe(404)
  })

  it('queues an invitation for the organizer and says so; the second ask is already invited', async () => {
    const first = await call(alice, { body: { email: 'Guest@Example.org', name: 'Guest One' } })
    expect(first.status).toBe(202)
    expect(await first.json()).toMatchObject({ outcome: 'queued', invitation: { email: 'guest@example.org', origin: 'api', status: 'queued' } })
    const second = await call(alice, { body: { email: 'guest@example.org' } })
    expect(second.status).toBe(200)
    expect(await second.json()).toMatchObject({ outcome: 'already-invited' })
    expect(await loadInvitation(uid, 'guest@example.org')).toMatchObject({ invitedAt: expect.any(String) })
  })

  it('rejects bad input with a 400 and one sentence', async () => {
    for (const [body, message] of [
      [{ email: 'not an address' }, /^Give a valid email address\.$/],
      ['{"email":', /not valid JSON/],
    ] as const) {
      const response = await call(alice, { body })
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect((await response.json()).message).toMatch(message)
    }
  })

  it('decides the origin itself: `api` for a token caller, whatever the body says', async () => {
    const response = await call(alice, { body: { email: 'curl@example.org', origin: 'embed' } })
    expect(response.status).toBe(202)
    expect(await response.json()).toMatchObject({ invitation: { email: 'curl@example.org', origin: 'api' } })
    expect(await loadInvitation(uid, 'curl@example.org')).toMatchObject({ origin: 'api' })
  })

  it('refuses what must not be mailed with a 422 and the reason', async () => {
    const response = await call(alice, { body: { email: 'rsvp@events.localhost' } })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('own mailboxes') })
  })

  it('lists the invitations with their status, page by page with a cursor', async () => {
    await call(alice, { body: { email: 'second@example.org' } })
    const page = await (await call(alice, { query: '?limit=1' })).json()
    expect(page.invitations).toHaveLength(1)
    expect(page.cursor).toEqual(expect.any(String))
    const next = await (await call(alice, { query: `?limit=1&cursor=${page.cursor}` })).json()
    expect(next.invitations[0].email).not.toBe(page.invitations[0].email)
    // A cursor it did not give out (not JSON, not a key, another event's key) is the caller's mistake.
    const otherEvent = Buffer.from(JSON.stringify({ pk: 'EVENT#another@test', sk: 'INVITE#guest@example.org' })).toString('base64url')
    for (const cursor of ['garbage', Buffer.from('{"pk":1}').toString('base64url'), otherEvent]) {
      const response = await call(alice, { query: `?cursor=${cursor}` })
      expect(response.status, cursor).toBe(400)
      expect((await response.json()).message).toBe('The cursor is not one this server gave out.')
    }
  })

  it('stops accepting a token revoked elsewhere within CIS_AUTH_CACHE_SECONDS', async () => {
    const { token, id } = await createApiToken('alice@org-a.example', 'short-lived')
    expect((await call(token)).status).toBe(200)
    // Revoked by this process, as `cis token revoke` or another instance would: the server
    // forgets its memory of the token after the configured seconds (revoking through the
    // server itself takes effect at once; browser-dashboard.ts shows that).
    expect(await revokeApiToken('alice@org-a.example', id)).toBe(true)
    const revokedAt = Date.now()
    while ((await call(token)).status !== 401) {
      expect(Date.now() - revokedAt, 'the revoked token is still accepted').toBeLessThan((config().authCacheSeconds + 1) * 1000)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })
})

describe('one-click unsubscribe (RFC 8058)', () => {
  const address = `leaver-${randomUUID().slice(0, 8)}@example.org`
  const link = () => new URL(unsubscribeUrl(address, 'some-event@test')).pathname

  it('shows a page that asks before unsubscribing, and does nothing on GET', async () => {
    const html = await (await fetch(link())).text()
    expect(html).toContain(address)
    expect(html).toContain('data-test="confirm"')
  })

  it('unsubscribes on the one-click POST a mail client makes', async () => {
    const response = await fetch(link(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })
    expect(response.status).toBe(200)
    const { suppressionOf } = await import('../../../server/services/suppression')
    expect(await suppressionOf(address)).toMatchObject({ reason: 'unsubscribed' })
  })

  it('refuses a forged link', async () => {
    const forged = link().replace(/.{4}$/, 'AAAA')
    expect((await fetch(forged, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(404)
    expect(await (await fetch(forged)).text()).toMatch(/role="alert"[^>]*data-test="invalid"/)
  })
})
