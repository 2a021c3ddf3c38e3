import { describe, it, expect } from 'vitest'
import { randomUUID } from 'node:crypto'
import { fetch } from '@nuxt/test-utils/e2e'
import { signIn } from '../session'

describe('API tokens made and revoked in the dashboard (/api/tokens)', () => {
  const email = `tokie-${randomUUID().slice(0, 8)}@tokens.example`

  it('creates a token when signed in, shows it once, lists it without it, and revokes it', async () => {
    const cookie = await signIn(email)
    const created = await fetch('/api/tokens', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ label: 'my agent' }) })
    expect(created.status).toBe(201)
    const { token, id } = (await created.json()) as { token: string; id: string }
    expect(token).toMatch(/^cis_/)

    const me = await fetch('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })
    expect(await me.json()).toMatchObject({ email })
    const listed = await (await fetch('/api/tokens', { headers: { cookie } })).text()
    expect(listed).toContain('my agent')
    expect(listed).not.toContain(token)
    // A token cannot mint another.
    expect((await fetch('/api/tokens', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(403)

    expect((await fetch(`/api/tokens/${id}`, { method: 'DELETE', headers: { cookie } })).status).toBe(200)
    expect((await fetch('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
    expect((await fetch(`/api/tokens/${id}`, { method: 'DELETE', headers: { cookie } })).status).toBe(404)
  })

  it('shows the tokens page to a signed-in person', async () => {
    const cookie = await signIn(email)
    const html = await (await fetch('/dashboard/tokens', { headers: { cookie } })).text()
    expect(html).toContain('API tokens')
  })
})
