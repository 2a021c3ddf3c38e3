import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { fetch } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import PostalMime from 'postal-mime'
import { AttendeeEntity, EventEntity, InvitationEntity, MailLogEntity, OrganizerEntity } from '../../../server/aws/table'
import { setOwner } from '../../../server/services/owners'
import { signIn } from '../session'

const events = EventEntity.build(EntityRepository)
const attendees = AttendeeEntity.build(EntityRepository)
const invitations = InvitationEntity.build(EntityRepository)
const mailLog = MailLogEntity.build(EntityRepository)
const organizers = OrganizerEntity.build(EntityRepository)

describe('dashboard pages (server-rendered with the session cookie)', { tags: ['security'] }, () => {
  const run = randomUUID().slice(0, 8)
  const domain = `org-d-${run}.example`
  const olga = `olga@${domain}`
  const owner = `owen@owners-${run}.example`
  const mine = `dash-${run}@test`
  const theirs = `other-${run}@test`
  const summary = `Launch <script>alert("x")</script> ${run}`
  const cookies = { olga: '', owner: '' }
  const page = async (path: string, cookie: string) => {
    const response = await fetch(path, { headers: { cookie } })
    expect(response.status, path).toBe(200)
    return response.text()
  }

  beforeAll(async () => {
    await Promise.all([
      events.put({
        uid: mine, organizerEmail: olga, organizerName: 'Olga', organizerDomain: domain, summary, location: 'Room 7', start: '2031-05-01T10:00:00Z', dtstamp: '2030-01-01T00:00:00Z',
        attendeeCount: 2, counts: { accepted: 1, declined: 1, tentative: 0, needsAction: 0, delegated: 0, shared: 0 },
      }),
      events.put({ uid: theirs, organizerEmail: `pete@other-${run}.example`, organizerDomain: `other-${run}.example`, summary: 'Not yours', start: '2031-05-02T10:00:00Z', dtstamp: '2030-01-01T00:00:00Z' }),
      attendees.put({ eventUid: mine, email: 'ann@example.org', name: 'Ann Attendee', partstat: 'ACCEPTED', source: 'invite', repliedAt: '2030-12-01T09:00:00Z', history: [{ partstat: 'ACCEPTED', at: '2030-12-01T09:00:00Z', prodid: '-//Google Inc//Google Calendar 70.9054//EN' }] }),
      attendees.put({ eventUid: mine, email: 'ben@example.org', partstat: 'DECLINED', source: 'organizer', repliedAt: '2030-12-02T09:00:00Z', history: [{ partstat: 'DECLINED', at: '2030-12-02T09:00:00Z' }] }),
      invitations.put({ eventUid: mine, email: 'ann@example.org', origin: 'api', invitedAt: '2030-11-30T09:00:00Z', status: 'failed', error: 'The address bounced.' }),
      mailLog.put({ key: `dash-rejected-${run}`, mailbox: 'create', sender: olga, subject: 'Invitation: <b>Dinner</b>', receivedAt: '2030-01-02T00:00:00Z', outcome: 'rejected', reason: 'The sender could not be verified (no SPF or DKIM pass).' }),
      organizers.put({ email: olga, name: 'Olga', domain, eventCount: 1, replyCount: 2 }),
      setOwner(owner, { systemOwner: false, domains: [domain] }, 'tests'),
    ])
  })

  // The test context (the server's URL) exists only inside tests, so sign-in happens in the first.
  it('signs the organizer and the owner in', async () => {
    cookies.olga = await signIn(olga)
    cookies.owner = await signIn(owner)
  })

  it('sends anonymous visitors to /sign-in', async () => {
    const response = await fetch('/dashboard', { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/sign-in')
    // …and from an event's page with the way back there (sign-in then opens it).
    const fromEvent = new URL((await fetch(`/dashboard/events/${encodeURIComponent(mine)}`, { redirect: 'manual' })).headers.get('location')!, 'http://site')
    expect(fromEvent.pathname).toBe('/sign-in')
    expect(fromEvent.searchParams.get('next')).toBe(`/dashboard/events/${mine}`)
  })

  it('lists the organizer\'s events, escaping what they wrote, with a link to each', async () => {
    const html = await page('/dashboard', cookies.olga)
    expect(html).toContain(olga)
    expect(html).toContain(`Launch &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ${run}`)
    expect(html).not.toContain('<script>alert("x")</script>')
    expect(html).toContain(`href="/dashboard/events/${encodeURIComponent(mine)}"`)
    expect(html).not.toContain('Not yours')
    expect(html).not.toContain('data-test="domains-link"')
    expect(await page('/dashboard?view=past', cookies.olga)).toContain('data-test="no-events"')
    expect(await page(`/dashboard?q=${run}`, cookies.olga)).toContain('Room 7')
  })

  it('shows an event with its answers, attendees, invitations and the CSV link', async () => {
    const html = await page(`/dashboard/events/${encodeURIComponent(mine)}`, cookies.olga)
    expect(html).toContain('Launch &lt;script&gt;')
    expect(html).toMatch(/data-test="answer-Yes".*?>1<\/span>/s)
    expect(html).toMatch(/data-test="answer-No".*?>1<\/span>/s)
    // Nobody answered a forwarded invitation: no "shared" line.
    expect(html).not.toContain('data-test="answer-Shared"')
    expect(html).toMatch(/data-test="attendee-name">Ann Attendee<\/span><span class="[^"]*">ann@example.org</)
    expect(html).toContain('ben@example.org')
    expect(html).toContain('The address bounced.')
    // When Ann replied, in the viewer's zone (UTC on the server until one is chosen).
    expect(html).toContain('<time datetime="2030-12-01T09:00:00Z"')
    expect(html).toMatch(/Dec 1, 2030, 9:00\sAM/)
    expect(html).toContain(`href="/api/events/${encodeURIComponent(mine)}/report.csv"`)
  })

  it('says not found for someone else\'s event, without failing', async () => {
    const html = await page(`/dashboard/events/${encodeURIComponent(theirs)}`, cookies.olga)
    expect(html).toContain('data-test="not-found"')
    expect(html).not.toContain('Not yours')
  })

  it('shows the caller\'s rejected mail with the reason', async () => {
    const html = await page('/dashboard/mail', cookies.olga)
    expect(html).toContain('Invitation: &lt;b&gt;Dinner&lt;/b&gt;')
    expect(html).toContain('The sender could not be verified (no SPF or DKIM pass).')
  })

  it('shows an owner their domains, the organizers, and the organizer\'s events', async () => {
    expect(await page('/dashboard', cookies.owner)).toContain('data-test="domains-link"')
    const domains = await page('/dashboard/domains', cookies.owner)
    expect(domains).toContain(`href="/dashboard/domains/${domain}"`)
    expect(domains).not.toContain('data-test="owner-form"')
    const detail = await page(`/dashboard/domains/${domain}`, cookies.owner)
    expect(detail).toMatch(new RegExp(`href="/dashboard\\?organizer=olga(@|%40)${domain.replaceAll('.', '\\.')}"`))
    const theirEvents = await page(`/dashboard?organizer=${encodeURIComponent(olga)}`, cookies.owner)
    expect(theirEvents).toContain(`Launch &lt;script&gt;`)
    expect(await page('/dashboard/domains', cookies.olga)).toContain('data-test="not-owner"')
  })
})
