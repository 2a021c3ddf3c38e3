import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { fetch } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import PostalMime from 'postal-mime'
import { EventEntity } from '../../../server/aws/table'
import { mailbox, rawSentMail } from '../../integration/support'

describe('passwordless sign-in (POST /api/auth/sign-in, GET /sign-in/verify, /api/auth/me, sign-out)', { tags: ['security'] }, () => {
  const email = `signer-${randomUUID().slice(0, 8)}@org-s.example`
  const uid = `signin-${randomUUID()}@test`
  const invites = `/api/events/${encodeURIComponent(uid)}/invites`
  let link = ''
  let cookie = ''

  /** The `name=value` of the session cookie a response sets ('' when it clears it). */
  const sessionCookie = (response: Response) => {
    const set = response.headers.getSetCookie().find((line) => line.startsWith('nuxt-session='))
    return set ? set.split(';')[0]! : ''
  }

  beforeAll(async () => {
    await EventEntity.build(EntityRepository).put({
      uid, organizerEmail: email, organizerDomain: 'org-s.example', summary: 'Signed-in launch', start: '2027-03-01T10:00:00Z', dtstamp: '2026-11-01T00:00:00Z',
    })
  })

  it('answers 202 with a sentence and mails a link', async () => {
    const since = Date.now()
    const response = await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) })
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({ message: expect.stringMatching(/Check your inbox/) })
    const [mail] = await rawSentMail(since, email)
    const text = (await PostalMime.parse(mail!.raw)).text ?? ''
    const url = /^(http\S+\/sign-in\/verify\?token=\S+)$/m.exec(text)?.[1]
    expect(url, text).toBeDefined()
    link = new URL(url!).pathname + new URL(url!).search
  })

  it('rejects a bad address with 400 and one sentence', async () => {
    const response = await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nope' }) })
    expect(response.status).toBe(400)
    expect((await response.json()).message).toBe('Give a valid email address.')
  })

  it('signs in with the link: a sealed, httpOnly session cookie and a redirect to the dashboard', async () => {
    const response = await fetch(link, { redirect: 'manual' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/dashboard')
    const set = response.headers.getSetCookie().find((line) => line.startsWith('nuxt-session='))!
    expect(set).toMatch(/HttpOnly/i)
    expect(set).toMatch(/SameSite=Lax/i)
    expect(set).not.toContain(email)
    cookie = sessionCookie(response)
    expect(cookie).not.toBe('')
  })

  it('does not work twice', async () => {
    const again = await fetch(link, { redirect: 'manual' })
    expect(again.status).toBe(303)
    expect(again.headers.get('location')).toBe('/sign-in?error=link')
    expect(sessionCookie(again)).toBe('')
  })

  it('identifies the caller on the API with the cookie', async () => {
    const me = await fetch('/api/auth/me', { headers: { cookie } })
    expect(me.status).toBe(200)
    expect(await me.json()).toEqual({ email, systemOwner: false, ownedDomains: [], createAddress: mailbox('create'), hasEvents: true, localStack: true })
    const list = await fetch(invites, { headers: { cookie } })
    expect(list.status).toBe(200)
    expect(await list.json()).toMatchObject({ invitations: [] })
    const dashboard = await (await fetch('/dashboard', { headers: { cookie } })).text()
    expect(dashboard).toContain(email)
    expect((await fetch('/api/auth/me')).status).toBe(401)
  })

  it('invites from the dashboard (a session, not a token) with the origin `dashboard`, whatever the body says', async () => {
    const response = await fetch(invites, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ email: `form-${randomUUID().slice(0, 8)}@example.org`, origin: 'vip' }) })
    expect(response.status).toBe(202)
    expect(await response.json()).toMatchObject({ outcome: 'queued', invitation: { origin: 'dashboard' } })
  })

  it('signs out: the cookie is cleared, and a kept copy of the old one is refused', async () => {
    const out = await fetch('/api/auth/sign-out', { method: 'POST', headers: { cookie } })
    expect(out.status).toBe(200)
    const cleared = out.headers.getSetCookie().find((line) => line.startsWith('nuxt-session='))
    expect(cleared).toMatch(/nuxt-session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i)
    expect((await fetch('/api/auth/me', { headers: { cookie: sessionCookie(out) } })).status).toBe(401)
    // A copy of the old cookie is refused too: the session it names is gone from the table.
    expect((await fetch('/api/auth/me', { headers: { cookie } })).status).toBe(401)
    expect((await fetch(invites, { headers: { cookie } })).status).toBe(401)
    expect(await (await fetch('/api/_auth/session', { headers: { cookie } })).json()).not.toHaveProperty('user')
  })

  it('shows the sign-in page, with a sentence for a used link', async () => {
    const html = await (await fetch('/sign-in?error=link')).text()
    expect(html).toMatch(/<p[^>]*role="alert"[^>]*data-test="link-error"/)
    expect(await (await fetch('/sign-in/verify?token=garbage', { redirect: 'manual' })).headers.get('location')).toBe('/sign-in?error=link')
  })
})
