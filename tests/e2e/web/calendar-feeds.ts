/**
 * The calendar feeds on the built app (issue 15 item 6): anyone fetches an organizer's and
 * a domain's feed without credentials, as text/calendar that an independent parser
 * (node-ical) reads at the right times; ETag and Last-Modified, 304 on a match; a public
 * Cache-Control for shared caches, but no-store for a caller who sent credentials; an
 * unknown organizer or domain answers 404 with a sentence.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { fetch } from '@nuxt/test-utils/e2e'
import ical from 'node-ical'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity, OrganizerEntity } from '../../../server/aws/table'
import { createApiToken } from '../../../server/services/api-tokens'
import { ensureOrganizerPublicId } from '../../../server/services/public-events'

const events = EventEntity.build(EntityRepository)
const organizers = OrganizerEntity.build(EntityRepository)

type ParsedEvent = { type: string; uid: string; start: Date & { tz?: string }; end: Date; status?: string; rrule?: { after(date: Date): Date | null } }
const parsedEvents = (text: string) => Object.values(ical.sync.parseICS(text)).filter((c) => c?.type === 'VEVENT') as unknown as ParsedEvent[]

describe('calendar feeds', () => {
  const run = randomUUID().slice(0, 8)
  const domain = `feeds-${run}.example`
  const ria = `ria@${domain}`
  const uid = (name: string) => `${name}-${run}@feeds.test`
  let feedPath = ''

  beforeAll(async () => {
    await organizers.put({ email: ria, domain, name: 'Ria Organizer' })
    await organizers.put({ email: `sam@${domain}`, domain, name: 'Sam' })
    const put = (name: string, fields: Partial<Parameters<typeof events.put>[0]>) =>
      events.put({ uid: uid(name), organizerEmail: ria, organizerName: 'Ria Organizer', organizerDomain: domain, summary: name, start: '2030-05-01T10:00:00Z', end: '2030-05-01T11:00:00Z', dtstamp: '2026-01-01T00:00:00Z', listed: true, ...fields })
    await Promise.all([
      put('talk', { inviteSequence: 3, sequence: 1 }),
      // Weekly on Mondays at 09:00 in New York since 2020: still upcoming.
      put('weekly', { start: '2020-01-06T14:00:00Z', end: '2020-01-06T15:00:00Z', timezone: 'America/New_York', tzid: 'America/New_York', startLocal: '2020-01-06T09:00:00', rrule: 'FREQ=WEEKLY;BYDAY=MO' }),
      put('picnic', { start: '2030-06-01', end: '2030-06-02', allDay: true }),
      put('called-off', { status: 'CANCELLED', start: '2030-07-01T10:00:00Z', end: '2030-07-01T11:00:00Z' }),
      put('unlisted', { listed: false }),
      put('old', { start: '2021-01-01T10:00:00Z', end: '2021-01-01T11:00:00Z' }),
      events.put({ uid: uid('sam'), organizerEmail: `sam@${domain}`, organizerName: 'Sam', organizerDomain: domain, summary: 'sam', start: '2030-08-01T10:00:00Z', dtstamp: '2026-01-01T00:00:00Z', listed: true }),
    ])
    feedPath = `/organizers/${await ensureOrganizerPublicId(ria)}/events.ics`
  })

  it("serves an organizer's feed to anyone as text/calendar, with validators and a public Cache-Control", async () => {
    const response = await fetch(feedPath)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8')
    expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{32}"$/)
    expect(new Date(response.headers.get('last-modified')!).getTime()).toBeLessThanOrEqual(Date.now())
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+, s-maxage=\d+, stale-while-revalidate=\d+$/)
    expect(response.headers.get('set-cookie')).toBeNull()
    const text = await response.text()
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/)
    expect(text).toContain('\r\nMETHOD:PUBLISH\r\n')
    expect(text).toContain('\r\nX-WR-CALNAME:Events of Ria Organizer\r\n')
    expect(text).not.toContain(ria)
    const byUid = new Map(parsedEvents(text).map((event) => [event.uid, event]))
    expect(new Set(byUid.keys())).toEqual(new Set([uid('talk'), uid('weekly'), uid('picnic'), uid('called-off')]))
    expect(byUid.get(uid('talk'))!.start.toISOString()).toBe('2030-05-01T10:00:00.000Z')
    expect(byUid.get(uid('called-off'))!.status).toBe('CANCELLED')
    // The series in its zone: the next Monday's occurrence at 09:00 New York time, whatever DST says.
    const next = byUid.get(uid('weekly'))!.rrule!.after(new Date('2030-07-01T00:00:00Z'))!
    expect(next.toISOString()).toBe('2030-07-01T13:00:00.000Z')
    expect(text).toContain('BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n')
    expect(text).toMatch(new RegExp(`UID:${uid('talk')}\\r\\nSEQUENCE:3\\r\\n`))
  })

  it('answers 304 with no body when the ETag or the date matches, 200 when neither does', async () => {
    const first = await fetch(feedPath)
    const etag = first.headers.get('etag')!
    const lastModified = first.headers.get('last-modified')!
    const byTag = await fetch(feedPath, { headers: { 'if-none-match': etag } })
    expect(byTag.status).toBe(304)
    expect(await byTag.text()).toBe('')
    expect(byTag.headers.get('etag')).toBe(etag)
    expect((await fetch(feedPath, { headers: { 'if-modified-since': lastModified } })).status).toBe(304)
    expect((await fetch(feedPath, { headers: { 'if-none-match': '"something-else"' } })).status).toBe(200)
    // If-None-Match decides when both are sent.
    expect((await fetch(feedPath, { headers: { 'if-none-match': '"something-else"', 'if-modified-since': lastModified } })).status).toBe(200)
  })

  it('needs no credentials, and a caller who sends some gets the same feed with nothing cached', async () => {
    const token = (await createApiToken(`someone-${run}@elsewhere.example`, 'tests')).token
    const anonymous = await fetch(feedPath)
    const withToken = await fetch(feedPath, { headers: { authorization: `Bearer ${token}` } })
    expect(withToken.status).toBe(200)
    expect(withToken.headers.get('cache-control')).toBe('no-store')
    expect(await withToken.text()).toBe(await anonymous.text())
  })

  it("serves a domain's feed with every organizer's listed events", async () => {
    const response = await fetch(`/domains/${domain}/events.ics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8')
    const uids = new Set(parsedEvents(await response.text()).map((event) => event.uid))
    expect(uids).toEqual(new Set([uid('talk'), uid('weekly'), uid('picnic'), uid('called-off'), uid('sam')]))
    const etag = response.headers.get('etag')!
    expect((await fetch(`/domains/${domain}/events.ics`, { headers: { 'if-none-match': etag } })).status).toBe(304)
  })

  it.each([
    ['an organizer nobody has', '/organizers/AAAAAAAAAAAAAAAA/events.ics', 404, 'There is no organizer at this address.'],
    ['a domain without organizers', `/domains/nobody-${run}.example/events.ics`, 404, 'There are no organizers in this domain.'],
    ['an address that is no organizer id', '/organizers/short/events.ics', 400, 'That is not an organizer address.'],
    ['an address that is no domain', '/domains/not_a_domain/events.ics', 400, 'Give a domain such as example.com.'],
  ])('answers %s with %i and a sentence', async (_, path, status, sentence) => {
    const response = await fetch(path, { headers: { accept: 'application/json' } })
    expect(response.status).toBe(status)
    expect(JSON.stringify(await response.json())).toContain(sentence)
  })

  it('answers a calendar client asking for an unknown feed 404 too', async () => {
    const response = await fetch('/organizers/AAAAAAAAAAAAAAAA/events.ics', { headers: { accept: 'text/calendar' } })
    expect(response.status).toBe(404)
    expect(await response.text()).toContain('There is no organizer at this address.')
  })

  it('is in the OpenAPI document as text/calendar, for anyone', async () => {
    const document = await (await fetch('/api/openapi.json')).json()
    for (const path of ['/organizers/{organizerPublicId}/events.ics', '/domains/{domain}/events.ics']) {
      expect(document.paths[path].get.security).toEqual([])
      expect(Object.keys(document.paths[path].get.responses['200'].content)).toEqual(['text/calendar'])
      expect(document.paths[path].get.responses['304']).toBeDefined()
    }
  })
})
