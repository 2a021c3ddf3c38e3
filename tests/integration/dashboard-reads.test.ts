/**
 * The dashboard's list reads against DynamoDB Local: paging through an organizer's events
 * returns each exactly once whatever the page size and filter, a sparse view stops at the
 * read budget with a cursor instead of reading the whole partition, lists carry every
 * field they show, and a cursor a list did not give out is refused before DynamoDB sees
 * it. And the per-request lookups (token, session, roles) remembered for a few seconds
 * are forgotten the moment they change here.
 */
import { createHash } from 'node:crypto'
import { describe, it, expect, beforeAll, afterEach } from 'vitest'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity, OwnerEntity, SessionEntity, ApiTokenEntity } from '../../server/aws/table'
import { listEventAttendees, listOrganizerEvents, listRejectedMail } from '../../server/services/event-queries'
import { listInvitations } from '../../server/services/invitations'
import { InvalidCursor } from '../../server/services/cursors'
import { createApiToken, organizerOfToken, revokeApiToken, listApiTokens } from '../../server/services/api-tokens'
import { rolesOf, setOwner } from '../../server/services/owners'
import { endSession, sessionEmail, startSession } from '../../server/services/sign-in'
import { forgetShortLived } from '../../server/services/short-lived'
import { resetConfig } from '../../server/config'
import { clients } from '../../server/aws/clients'
import { useFreshTable } from './support'

const events = EventEntity.build(EntityRepository)
const organizer = 'lists@reads.example'
const now = new Date('2026-11-23T12:00:00Z')
const day = 86_400_000

/** Every page of a view, following cursors; the number of requests it took. */
async function everyPage(view: 'upcoming' | 'past' | 'cancelled', limit: number, q?: string) {
  const uids: string[] = []
  let cursor: string | undefined
  let requests = 0
  do {
    const page = await listOrganizerEvents(organizer, { view, limit, q, cursor: cursor ?? undefined }, now)
    requests++
    uids.push(...page.events.map((event) => event.uid))
    cursor = page.cursor ?? undefined
  } while (cursor)
  return { uids, requests }
}

describe('event lists page by page', () => {
  const upcoming: string[] = []
  const cancelled: string[] = []

  beforeAll(async () => {
    await useFreshTable()
    // 2,600 events, one in a hundred cancelled: more than the read budget of one request.
    const writes: Promise<unknown>[] = []
    for (let i = 0; i < 2600; i++) {
      const uid = `list-${String(i).padStart(4, '0')}@reads.example`
      const isCancelled = i % 100 === 7
      const start = new Date(now.getTime() + (i + 1) * day / 24).toISOString().replace(/\.\d+Z$/, 'Z')
      ;(isCancelled ? cancelled : upcoming).push(uid)
      writes.push(
        events.put({
          uid, organizerEmail: organizer, organizerDomain: 'reads.example', organizerName: 'Lists Organizer', summary: `Event ${i}${i % 10 === 3 ? ' Workshop' : ''}`,
          description: 'x'.repeat(2000), location: `Room ${i % 5}`, start, dtstamp: '2026-11-01T00:00:00Z', status: isCancelled ? 'CANCELLED' : 'CONFIRMED',
          attendeeCount: i % 7, counts: { accepted: i % 7, declined: 0, tentative: 0, needsAction: 0, delegated: 0, shared: 0 },
        }),
      )
      if (writes.length === 64) await Promise.all(writes.splice(0))
    }
    await Promise.all(writes)
  }, 120_000)

  it('returns every upcoming event exactly once, in start order, at any page size', async () => {
    for (const limit of [1, 49, 200]) {
      if (limit === 1) {
        // One at a time through the whole list would take 2,574 requests: the first 30 are enough.
        let cursor: string | undefined
        const seen: string[] = []
        for (let i = 0; i < 30; i++) {
          const page = await listOrganizerEvents(organizer, { view: 'upcoming', limit, cursor }, now)
          seen.push(...page.events.map((event) => event.uid))
          cursor = page.cursor ?? undefined
        }
        expect(seen).toEqual(upcoming.slice(0, 30))
        continue
      }
      const { uids, requests } = await everyPage('upcoming', limit)
      expect(uids).toEqual(upcoming)
      expect(requests).toBe(Math.ceil(upcoming.length / limit))
    }
  }, 60_000)

  it('finds the few cancelled events across the read budget, continuing from the cursor', async () => {
    const { uids, requests } = await everyPage('cancelled', 50)
    expect([...uids].sort()).toEqual([...cancelled].sort())
    // 2,600 items at most 2,000 per request: the first request stops at the budget.
    expect(requests).toBe(2)
  }, 60_000)

  it('searches through the pages (case-insensitive), skipping what does not match', async () => {
    const { uids } = await everyPage('upcoming', 40, 'workshop')
    expect(uids).toEqual(upcoming.filter((uid) => Number(uid.slice(5, 9)) % 10 === 3))
  }, 60_000)

  it("starts the upcoming list with today's all-day events and what has not started, reading none of what has", async () => {
    const noon = new Date('2027-03-10T12:00:00Z')
    const who = 'today@reads.example'
    const put = (uid: string, start: string, extra: Record<string, unknown> = {}) =>
      events.put({ uid, organizerEmail: who, organizerDomain: 'reads.example', summary: uid, start, dtstamp: '2027-01-01T00:00:00Z', ...extra })
    await Promise.all([
      put('yesterday', '2027-03-09'),
      put('all-day-today', '2027-03-10', { allDay: true }),
      ...Array.from({ length: 6 }, (_, i) => put(`morning-${i}`, `2027-03-10T0${5 + i}:00:00Z`.replace('T010', 'T10'))),
      put('starting-now', '2027-03-10T12:00:00Z'),
      put('cancelled-later', '2027-03-10T13:00:00Z', { status: 'CANCELLED' }),
      ...Array.from({ length: 12 }, (_, i) => put(`later-${String(i).padStart(2, '0')}`, `2027-03-10T${String(13 + i)}:30:00Z`.replace('T24', 'T23'))),
    ])
    let queries = 0
    let itemsRead = 0
    const count = (next: (args: unknown) => Promise<{ output: { Count?: number } }>) => async (args: unknown) => {
      queries++
      const result = await next(args)
      itemsRead += result.output.Count ?? 0
      return result
    }
    clients().documents.middlewareStack.add(count as never, { step: 'initialize', name: 'countQueries' })
    try {
      const first = await listOrganizerEvents(who, { view: 'upcoming', limit: 5 }, noon)
      expect(first.events.map((event) => event.uid)).toEqual(['all-day-today', 'starting-now', 'later-00', 'later-01', 'later-02'])
      // Today's all-day events and those from now on, read side by side: two queries, and
      // none of this morning's events read only to be skipped (1 all-day + 5 from now on).
      expect(queries).toBe(2)
      expect(itemsRead).toBe(6)
      const rest: string[] = []
      let cursor = first.cursor ?? undefined
      while (cursor) {
        const page = await listOrganizerEvents(who, { view: 'upcoming', limit: 5, cursor }, noon)
        rest.push(...page.events.map((event) => event.uid))
        cursor = page.cursor ?? undefined
      }
      expect(rest).toEqual(['later-03', 'later-04', 'later-05', 'later-06', 'later-07', 'later-08', 'later-09', 'later-10', 'later-11'])
      // Descending, the same events in the other order.
      const descending = await listOrganizerEvents(who, { view: 'upcoming', sort: '-start', limit: 20 }, noon)
      expect(descending.events.map((event) => event.uid)).toEqual(['all-day-today', ...first.events.slice(1).map((e) => e.uid), ...rest].reverse())
    } finally {
      clients().documents.middlewareStack.remove('countQueries')
    }
  })

  it('carries every field a list shows, and not the description', async () => {
    const [first] = (await listOrganizerEvents(organizer, { view: 'upcoming', limit: 1 }, now)).events
    expect(first).toEqual({
      uid: 'list-0000@reads.example', summary: 'Event 0', start: '2026-11-23T13:00:00Z', end: null, allDay: false, timezone: null, location: 'Room 0',
      status: 'CONFIRMED', recurring: false, listed: false, organizer: { email: organizer, name: 'Lists Organizer' },
      counts: { accepted: 0, declined: 0, tentative: 0, needsAction: 0, delegated: 0, shared: 0 }, attendeeCount: 0,
    })
  })
})

describe('lookups remembered for a few seconds', () => {
  afterEach(() => {
    delete process.env.CIS_AUTH_CACHE_SECONDS
    resetConfig()
    forgetShortLived()
  })

  it('forgets a revoked token at once in this process', { tags: ['security'] }, async () => {
    const { token, id } = await createApiToken('tokens@reads.example', 'test')
    expect(await organizerOfToken(token)).toBe('tokens@reads.example')
    expect(await revokeApiToken('tokens@reads.example', id)).toBe(true)
    expect(await organizerOfToken(token)).toBeNull()
  })

  it('remembers a token for the configured seconds: a delete elsewhere shows after that', async () => {
    const { token } = await createApiToken('elsewhere@reads.example', 'test')
    expect(await organizerOfToken(token)).toBe('elsewhere@reads.example')
    // Deleted behind this process's back (another instance, the `cis` command).
    await ApiTokenEntity.build(EntityRepository).delete({ tokenHash: createHash('sha256').update(token).digest('hex') })
    expect(await listApiTokens('elsewhere@reads.example')).toEqual([])
    expect(await organizerOfToken(token)).toBe('elsewhere@reads.example')
    forgetShortLived() // what the seconds passing does
    expect(await organizerOfToken(token)).toBeNull()
  })

  it('never remembers longer than the configured seconds, however often a token is used', async () => {
    process.env.CIS_AUTH_CACHE_SECONDS = '1'
    resetConfig()
    const { token } = await createApiToken('busy@reads.example', 'test')
    expect(await organizerOfToken(token)).toBe('busy@reads.example')
    await ApiTokenEntity.build(EntityRepository).delete({ tokenHash: createHash('sha256').update(token).digest('hex') })
    const deletedAt = Date.now()
    while ((await organizerOfToken(token)) !== null) {
      expect(Date.now() - deletedAt).toBeLessThan(1500)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })

  it('remembers nothing with CIS_AUTH_CACHE_SECONDS=0', async () => {
    process.env.CIS_AUTH_CACHE_SECONDS = '0'
    resetConfig()
    await OwnerEntity.build(EntityRepository).put({ email: 'zero@reads.example', systemOwner: false, domains: ['a.example'], grantedBy: 'test@reads.example' })
    expect((await rolesOf('zero@reads.example')).domains).toEqual(['a.example'])
    await OwnerEntity.build(EntityRepository).delete({ email: 'zero@reads.example' })
    expect((await rolesOf('zero@reads.example')).domains).toEqual([])
  })

  it('forgets roles when they are changed here', async () => {
    expect((await rolesOf('owner@reads.example')).domains).toEqual([])
    await setOwner('owner@reads.example', { systemOwner: false, domains: ['reads.example'] }, 'root@reads.example')
    expect((await rolesOf('owner@reads.example')).domains).toEqual(['reads.example'])
    await setOwner('owner@reads.example', { systemOwner: false, domains: [] }, 'root@reads.example')
    expect((await rolesOf('owner@reads.example')).domains).toEqual([])
  })

  it('forgets a session when it ends here, and never outlives its expiry', async () => {
    const { sessionId } = await startSession('session@reads.example')
    expect(await sessionEmail(sessionId)).toBe('session@reads.example')
    await endSession(sessionId)
    expect(await sessionEmail(sessionId)).toBeNull()

    const second = await startSession('session@reads.example')
    expect(await sessionEmail(second.sessionId)).toBe('session@reads.example')
    const { Item } = await SessionEntity.build(EntityRepository).get({ id: second.sessionId })
    expect(await sessionEmail(second.sessionId, { now: () => new Date((Item!.expiresAt + 1) * 1000) })).toBeNull()
  })
})

describe('cursors', { tags: ['security'] }, () => {
  const uid = 'cursors@reads.example'
  const otherList = Buffer.from(JSON.stringify({ pk: 'EVENT#another@reads.example', sk: 'INVITE#guest@example.org' })).toString('base64url')
  const lists: [string, (cursor: string) => Promise<unknown>][] = [
    ['events', (cursor) => listOrganizerEvents(organizer, { view: 'upcoming', limit: 5, cursor }, now)],
    ['attendees', (cursor) => listEventAttendees(uid, { limit: 5, cursor })],
    ['invitations', (cursor) => listInvitations(uid, { limit: 5, cursor })],
    ['rejected mail', (cursor) => listRejectedMail(organizer, { limit: 5, cursor })],
  ]

  it.each(lists)('the %s list refuses a cursor it did not give out, never passing it to DynamoDB', async (_name, list) => {
    for (const cursor of ['garbage', Buffer.from('{"pk":1}').toString('base64url'), Buffer.from('{"pk":"EVENT#x","sk":{"S":"y"}}').toString('base64url'), otherList]) {
      await expect(list(cursor), cursor).rejects.toBeInstanceOf(InvalidCursor)
    }
  })
})
