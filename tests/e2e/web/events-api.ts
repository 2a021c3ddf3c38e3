import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fetch } from '@nuxt/test-utils/e2e'
import Papa from 'papaparse'
import { EntityRepository } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity, InvitationEntity, MailLogEntity } from '../../../server/aws/table'
import { createApiToken } from '../../../server/services/api-tokens'
import { setOwner } from '../../../server/services/owners'

const events = EventEntity.build(EntityRepository)
const attendees = AttendeeEntity.build(EntityRepository)
const invitations = InvitationEntity.build(EntityRepository)
const mailLog = MailLogEntity.build(EntityRepository)

describe('dashboard read API (events, attendees, report, rejected mail, OpenAPI)', () => {
  const run = randomUUID().slice(0, 8)
  const domain = `org-c-${run}.example`
  const carol = `carol@${domain}`
  const uid = (name: string) => `${name}-${run}@test`
  const tokens: Record<'carol' | 'bob' | 'dave', string> = { carol: '', bob: '', dave: '' }

  const get = (path: string, who: keyof typeof tokens | null = 'carol') =>
    fetch(path, { headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} })
  const json = async (path: string, who: keyof typeof tokens | null = 'carol') => {
    const response = await get(path, who)
    expect(response.status, `${path}: ${response.status}`).toBe(200)
    return response.json()
  }
  const uids = (page: { events: { uid: string }[] }) => page.events.map((event) => event.uid)

  beforeAll(async () => {
    const put = (name: string, start: string, summary: string, extra: Partial<Parameters<typeof events.put>[0]> = {}) =>
      events.put({ uid: uid(name), organizerEmail: carol, organizerName: 'Carol', organizerDomain: domain, summary, start, dtstamp: '2020-01-01T00:00:00Z', ...extra })
    await Promise.all([
      put('board', '2030-01-01T10:00:00Z', 'Board meeting', { location: 'Berlin HQ', attendeeCount: 3, counts: { accepted: 1, declined: 0, tentative: 0, needsAction: 1, delegated: 0, shared: 1 } }),
      put('offsite', '2030-02-01T10:00:00Z', 'Team offsite', { location: 'Lisbon' }),
      put('review', '2030-03-01', 'Quarterly review', { allDay: true }),
      put('party', '2030-04-01T18:00:00Z', 'Spring party', { status: 'CANCELLED' }),
      put('kickoff', '2020-01-01T10:00:00Z', 'Old kickoff'),
      put('retro', '2021-01-01T10:00:00Z', 'Retro'),
    ])
    const board = uid('board')
    const google = '-//Google Inc//Google Calendar 70.9054//EN'
    await Promise.all([
      attendees.put({ eventUid: board, email: 'ann@example.org', name: 'Ann', partstat: 'ACCEPTED', source: 'invite', repliedAt: '2029-12-01T09:00:00Z', history: [{ partstat: 'ACCEPTED', at: '2029-12-01T09:00:00Z', prodid: google }] }),
      attendees.put({ eventUid: board, email: 'bea@example.org', name: '=HYPERLINK("http://evil.example")', partstat: 'NEEDS-ACTION', source: 'organizer' }),
      attendees.put({ eventUid: board, email: 'cid@example.org', partstat: 'TENTATIVE', source: 'shared', repliedAt: '2029-12-02T09:00:00Z', history: [{ partstat: 'TENTATIVE', at: '2029-12-02T09:00:00Z', prodid: 'Microsoft Exchange Server 2010' }] }),
      invitations.put({ eventUid: board, email: 'ann@example.org', origin: 'bulk', invitedAt: '2029-11-30T09:00:00Z', status: 'sent', sentAt: '2029-11-30T09:01:00Z' }),
    ])
    await Promise.all([
      mailLog.put({ key: `rejected-${run}`, mailbox: 'create', sender: carol, subject: 'Invitation: Dinner', receivedAt: '2029-01-02T00:00:00Z', outcome: 'rejected', reason: 'The sender could not be verified (no SPF or DKIM pass).' }),
      mailLog.put({ key: `created-${run}`, mailbox: 'create', sender: carol, subject: 'Invitation: Board meeting', receivedAt: '2029-01-03T00:00:00Z', outcome: 'created' }),
    ])
    tokens.carol = (await createApiToken(carol, 'tests')).token
    tokens.bob = (await createApiToken(`bob@other-${run}.example`, 'tests')).token
    tokens.dave = (await createApiToken(`dave@owners-${run}.example`, 'tests')).token
    await setOwner(`dave@owners-${run}.example`, { systemOwner: false, domains: [domain] }, 'tests')
  })

  describe('GET /api/events', () => {
    it('lists upcoming events soonest first, past events latest first, and cancelled ones apart', async () => {
      expect(uids(await json('/api/events'))).toEqual([uid('board'), uid('offsite'), uid('review')])
      expect(uids(await json('/api/events?view=past'))).toEqual([uid('retro'), uid('kickoff')])
      expect(uids(await json('/api/events?view=cancelled'))).toEqual([uid('party')])
    })

    it('sorts by -start when asked', async () => {
      expect(uids(await json('/api/events?view=upcoming&sort=-start'))).toEqual([uid('review'), uid('offsite'), uid('board')])
      expect(uids(await json('/api/events?view=past&sort=start'))).toEqual([uid('kickoff'), uid('retro')])
    })

    it('searches summary and location, ignoring case', async () => {
      expect(uids(await json('/api/events?q=LISBON'))).toEqual([uid('offsite')])
      expect(uids(await json('/api/events?q=quarterly'))).toEqual([uid('review')])
      expect(uids(await json('/api/events?q=nothing-like-this'))).toEqual([])
    })

    it('returns the event with its counts and organizer', async () => {
      const { events: [board] } = await json('/api/events?limit=1')
      expect(board).toMatchObject({ uid: uid('board'), summary: 'Board meeting', location: 'Berlin HQ', status: 'CONFIRMED', attendeeCount: 3, counts: { accepted: 1 }, organizer: { email: carol, name: 'Carol' } })
    })

    it('pages with a cursor, also when a search skips items', async () => {
      const first = await json('/api/events?limit=2')
      expect(uids(first)).toEqual([uid('board'), uid('offsite')])
      expect(first.cursor).toEqual(expect.any(String))
      const second = await json(`/api/events?limit=2&cursor=${first.cursor}`)
      expect(uids(second)).toEqual([uid('review')])
      expect(second.cursor).toBeNull()

      const found: string[] = []
      let cursor: string | null = ''
      for (let pages = 0; cursor !== null && pages < 10; pages++) {
        const page = await json(`/api/events?q=e&sort=-start&limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        expect(page.events.length).toBeLessThanOrEqual(1)
        found.push(...uids(page))
        cursor = page.cursor
      }
      expect(found).toEqual([uid('review'), uid('offsite'), uid('board')])
    })

    it('refuses a cursor it did not give out, or one from another list, with a 400 and a sentence', { tags: ['security'] }, async () => {
      for (const cursor of ['garbage', Buffer.from('{"pk":1}').toString('base64url')]) {
        const response = await get(`/api/events?cursor=${cursor}`)
        expect(response.status).toBe(400)
        expect((await response.json()).message).toBe('The cursor is not one this server gave out.')
      }
      const { cursor } = await json('/api/events?limit=1')
      expect((await get(`/api/events?cursor=${cursor}`, 'bob')).status).toBe(400)
    })

    it('rejects bad queries with a sentence', async () => {
      const response = await get('/api/events?view=someday')
      expect(response.status).toBe(400)
      expect((await response.json()).message).toBe('The view is one of upcoming, past or cancelled.')
      expect((await get('/api/events?limit=0')).status).toBe(400)
    })

    it('asks anonymous callers to sign in', async () => {
      expect((await get('/api/events', null)).status).toBe(401)
    })

    it('names the HTTP reason with the sentence, not "Server Error"', async () => {
      for (const [path, who, status, reason] of [
        ['/api/events?view=someday', undefined, 400, 'Bad Request'],
        ['/api/events', null, 401, 'Unauthorized'],
        ['/api/events/no-such-event@test', undefined, 404, 'Not Found'],
      ] as const) {
        const response = await get(path, who)
        expect(response.status).toBe(status)
        expect(response.statusText).toBe(reason)
        expect(await response.json()).toMatchObject({ statusCode: status, statusMessage: reason, message: expect.stringMatching(/\.$/) })
      }
    })

    it("shows an organizer's events only to owners who oversee them (others: 404)", async () => {
      const response = await get(`/api/events?organizer=${encodeURIComponent(carol)}`, 'bob')
      expect(response.status).toBe(404)
      expect((await response.json()).message).toBe('There is no such organizer among yours.')
      expect(uids(await json('/api/events', 'bob'))).toEqual([])
      expect(uids(await json(`/api/events?organizer=${encodeURIComponent(carol)}&view=past`, 'dave'))).toEqual([uid('retro'), uid('kickoff')])
    })
  })

  describe('GET /api/events/{uid}', () => {
    const path = () => `/api/events/${encodeURIComponent(uid('board'))}`

    it('gives details, counts and breakdowns of the answers', async () => {
      const details = await json(path())
      expect(details).toMatchObject({
        uid: uid('board'),
        organizer: { email: carol },
        status: 'CONFIRMED',
        attendeeCount: 3,
        inviteSequence: 0,
        // Cid answered a forwarded invite: shared, as in the counts, never a Maybe on the chart or on its day.
        breakdowns: {
          answers: { ACCEPTED: 1, 'NEEDS-ACTION': 1, TENTATIVE: 0, DECLINED: 0, DELEGATED: 0 },
          shared: 1,
          clients: { 'Google Calendar': 1, Outlook: 1 },
          origins: { bulk: 1 },
          answersOverTime: [{ day: '2029-12-01', answers: expect.objectContaining({ ACCEPTED: 1 }) }],
        },
      })
    })

    it('answers 404 to another organizer, as for no event; owners who oversee it see it', { tags: ['security'] }, async () => {
      const response = await get(path(), 'bob')
      expect(response.status).toBe(404)
      expect((await response.json()).message).toBe('There is no such event among yours.')
      expect((await get(`/api/events/no-such-${run}`)).status).toBe(404)
      expect((await json(path(), 'dave')).uid).toBe(uid('board'))
    })
  })

  describe('GET /api/events/{uid}/attendees', () => {
    const path = () => `/api/events/${encodeURIComponent(uid('board'))}/attendees`

    it("lists attendees with their answers and this server's invitation, page by page", async () => {
      // By name (the default), in natural order: bea's name starts with "=", ann's is "Ann", cid has none (the address counts).
      const first = await json(`${path()}?limit=2`)
      expect(first.attendees).toEqual([
        expect.objectContaining({ email: 'bea@example.org', partstat: 'NEEDS-ACTION', source: 'organizer', invitation: null }),
        { email: 'ann@example.org', name: 'Ann', partstat: 'ACCEPTED', source: 'invite', repliedAt: '2029-12-01T09:00:00Z', client: 'Google Calendar', invitation: { status: 'sent', origin: 'bulk', invitedAt: '2029-11-30T09:00:00Z', sentAt: '2029-11-30T09:01:00Z', error: null } },
      ])
      const second = await json(`${path()}?limit=2&cursor=${first.cursor}`)
      expect(second.attendees.map((a: { email: string }) => a.email)).toEqual(['cid@example.org'])
      expect(second.cursor).toBeNull()
    })

    it('filters by answer (any case)', async () => {
      const page = await json(`${path()}?status=tentative`)
      expect(page.attendees.map((a: { email: string }) => a.email)).toEqual(['cid@example.org'])
      expect((await get(`${path()}?status=maybe`)).status).toBe(400)
    })

    it('answers 404 to another organizer', { tags: ['security'] }, async () => {
      expect((await get(path(), 'bob')).status).toBe(404)
    })
  })

  describe('GET /api/events/{uid}/report.csv', () => {
    const path = () => `/api/events/${encodeURIComponent(uid('board'))}/report.csv`

    it('downloads every attendee as CSV, formula-like cells escaped', { tags: ['security'] }, async () => {
      const response = await get(path())
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/)
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="attendees-board-meeting.csv"')
      const text = await response.text()
      expect(text.split('\r\n')[0]).toBe('email,name,answer,source,origin,invitationStatus,invitedAt,repliedAt,client')
      const rows = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data
      expect(rows).toEqual([
        expect.objectContaining({ email: 'ann@example.org', answer: 'ACCEPTED', origin: 'bulk', invitationStatus: 'sent', client: 'Google Calendar' }),
        expect.objectContaining({ email: 'bea@example.org', name: `'=HYPERLINK("http://evil.example")`, answer: 'NEEDS-ACTION', origin: '' }),
        expect.objectContaining({ email: 'cid@example.org', answer: 'TENTATIVE', source: 'shared', client: 'Outlook' }),
      ])
    })

    it('answers 404 to another organizer', { tags: ['security'] }, async () => {
      expect((await get(path(), 'bob')).status).toBe(404)
    })
  })

  describe('GET /api/mail/rejected', () => {
    it("lists only the caller's rejected messages, with the reason", async () => {
      const page = await json('/api/mail/rejected')
      expect(page).toEqual({
        messages: [{ key: `rejected-${run}`, mailbox: 'create', subject: 'Invitation: Dinner', receivedAt: '2029-01-02T00:00:00Z', reason: 'The sender could not be verified (no SPF or DKIM pass).', eventUid: null }],
        cursor: null,
      })
      expect((await json('/api/mail/rejected', 'bob')).messages).toEqual([])
    })
  })

  describe('GET /api/openapi.json', () => {
    /** Every (method, path) a file under server/api serves, e.g. `events/[uid]/invites.get.ts` → get /api/events/{uid}/invites. */
    function routeFiles(dir = fileURLToPath(new URL('../../../server/api/', import.meta.url)), prefix = '/api'): { method: string | null; path: string }[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const segment = (name: string) => name.replace(/\[(\w+)\]/g, '{$1}')
        if (entry.isDirectory()) return routeFiles(`${dir}${entry.name}/`, `${prefix}/${segment(entry.name)}`)
        const match = /^(.+?)(?:\.(get|post|put|patch|delete))?\.ts$/.exec(entry.name)
        if (!match) return []
        const path = match[1] === 'index' ? prefix : `${prefix}/${segment(match[1]!)}`
        return [{ method: match[2] ?? null, path }]
      })
    }

    it('is an OpenAPI 3.1 document with bearer and cookie security that lists every route file and module route', async () => {
      const document = await json('/api/openapi.json', null)
      expect(document.openapi).toBe('3.1.0')
      expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['bearerAuth', 'cookieAuth'])
      const files = routeFiles()
      expect(files.length).toBeGreaterThan(10)
      for (const { method, path } of files) {
        expect(document.paths[path], path).toBeDefined()
        if (method) expect(document.paths[path][method], `${method} ${path}`).toBeDefined()
      }
      // Routes a module serves have no file here: nuxt-auth-utils' session routes (the dashboard's useUserSession).
      expect(Object.keys(document.paths['/api/_auth/session'] ?? {}).sort()).toEqual(['delete', 'get'])
      expect(document.paths['/api/events'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['view', 'q', 'sort', 'limit', 'cursor', 'organizer'])
      expect(document.paths['/api/events/{uid}/invites'].post.requestBody.content['application/json'].schema.required).toEqual(['email'])
    })
  })
})
