/**
 * The calendar feeds against DynamoDB Local (issue 15 item 6): an organizer's feed and a
 * domain's carry the listed events that are not past, a series that started long ago while
 * it has occurrences to come, cancelled events (as cancelled) until they are past, nothing
 * of another organizer or domain; an unknown organizer or domain has no feed; the ETag and
 * Last-Modified follow changes.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import ical from 'node-ical'
import { loadEvent } from '../../server/services/event-store'
import { domainFeed, feedUrlsOf, organizerFeed } from '../../server/services/feeds'
import { ensureOrganizerPublicId, setEventListed } from '../../server/services/public-events'
import { config } from '../../server/config'
import { deliver, imip, mailbox, received, useFreshTable } from './support'

const run = randomUUID().slice(0, 8)
const domain = `feeds-${run}.example`
const pat = `pat@${domain}`
const kim = `kim@${domain}`
const elsewhere = `lee@other-${run}.example`
/** The feeds are read as of this day. */
const NOW = new Date('2027-06-01T12:00:00Z')

function request(organizer: string, name: string, uid: string, lines: string[], method = 'REQUEST', sequence = 0) {
  return received(
    imip(organizer, mailbox('create'), method, [
      'BEGIN:VEVENT', `UID:${uid}`, `SEQUENCE:${sequence}`, 'DTSTAMP:20261101T000000Z', ...lines,
      `ORGANIZER;CN=${name}:mailto:${organizer}`, `ATTENDEE;CN=Guest:mailto:guest@${domain}`, 'END:VEVENT',
    ]),
    organizer,
  )
}

/** Creates an event (listed unless said) and gives its UID. */
async function create(organizer: string, summary: string, lines: string[], options: { listed?: boolean; name?: string } = {}) {
  const uid = `${summary.replace(/\W+/g, '-')}-${randomUUID()}@${domain}`
  const outcome = await deliver('create', request(organizer, options.name ?? 'Pat Organizer', uid, [`SUMMARY:${summary}`, ...lines]))
  expect(outcome).toMatchObject({ outcome: 'created' })
  if (options.listed ?? true) await setEventListed(uid, true)
  return uid
}

const uidsOf = (text: string) => [...text.replace(/\r\n[ \t]/g, '').matchAll(/^UID:(.+)$/gm)].map((m) => m[1]!)
const vevent = (text: string, uid: string) => text.replace(/\r\n[ \t]/g, '').match(new RegExp(`BEGIN:VEVENT\\r\\nUID:${uid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*?END:VEVENT`))?.[0] ?? ''

describe('calendar feeds', () => {
  type Name = 'upcoming' | 'unlisted' | 'past' | 'weekly' | 'ended' | 'allDay' | 'cancelled' | 'cancelledPast' | 'kim' | 'other'
  const uids = {} as Record<Name, string>
  let patId: string

  beforeAll(async () => {
    await useFreshTable()
    uids.upcoming = await create(pat, 'Upcoming talk', ['DTSTART:20270610T100000Z', 'DURATION:PT1H'])
    uids.unlisted = await create(pat, 'Unlisted talk', ['DTSTART:20270611T100000Z', 'DURATION:PT1H'], { listed: false })
    uids.past = await create(pat, 'Past talk', ['DTSTART:20270510T100000Z', 'DURATION:PT1H'])
    uids.weekly = await create(pat, 'Weekly since 2026', ['DTSTART;TZID=Europe/Berlin:20260105T090000', 'DTEND;TZID=Europe/Berlin:20260105T093000', 'RRULE:FREQ=WEEKLY;BYDAY=MO'])
    uids.ended = await create(pat, 'Series that ended', ['DTSTART;TZID=Europe/Berlin:20260105T090000', 'DTEND;TZID=Europe/Berlin:20260105T093000', 'RRULE:FREQ=WEEKLY;COUNT=10'])
    uids.allDay = await create(pat, 'Festival', ['DTSTART;VALUE=DATE:20270701', 'DTEND;VALUE=DATE:20270704'])
    uids.cancelled = await create(pat, 'Cancelled talk', ['DTSTART:20270615T100000Z', 'DURATION:PT1H'])
    uids.cancelledPast = await create(pat, 'Cancelled past talk', ['DTSTART:20270515T100000Z', 'DURATION:PT1H'])
    for (const uid of [uids.cancelled, uids.cancelledPast]) {
      const start = uid === uids.cancelled ? '20270615T100000Z' : '20270515T100000Z'
      expect(await deliver('create', request(pat, 'Pat Organizer', uid, ['SUMMARY:Cancelled', `DTSTART:${start}`, 'DURATION:PT1H', 'STATUS:CANCELLED'], 'CANCEL', 1))).toMatchObject({ outcome: 'cancelled' })
    }
    uids.kim = await create(kim, 'Kim talk', ['DTSTART:20270620T100000Z', 'DURATION:PT1H'], { name: 'Kim Colleague' })
    uids.other = await create(elsewhere, 'Elsewhere talk', ['DTSTART:20270620T100000Z', 'DURATION:PT1H'], { name: 'Lee' })
    patId = (await ensureOrganizerPublicId(pat))!
  })

  it("carries an organizer's listed events that are not past, cancelled ones as cancelled, a long-running series", async () => {
    const feed = (await organizerFeed(patId, NOW))!
    expect(new Set(uidsOf(feed.body))).toEqual(new Set([uids.upcoming, uids.weekly, uids.allDay, uids.cancelled]))
    expect(feed.events).toBe(4)
    expect(vevent(feed.body, uids.cancelled)).toContain('\r\nSTATUS:CANCELLED\r\n')
    expect(vevent(feed.body, uids.upcoming)).toContain('\r\nSTATUS:CONFIRMED\r\n')
    expect(feed.body).toContain('X-WR-CALNAME:Events of Pat Organizer')
    // No address of anyone.
    expect(feed.body).not.toContain(pat)
    expect(feed.body).not.toContain('guest@')
    // The series with its zone, the SEQUENCE invitations carry.
    expect(vevent(feed.body, uids.weekly)).toContain('DTSTART;TZID=Europe/Berlin:20260105T090000')
    expect(feed.body).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin')
    expect(vevent(feed.body, uids.cancelled)).toMatch(new RegExp(`\\r\\nSEQUENCE:${(await loadEvent(uids.cancelled))!.inviteSequence}\\r\\n`))
  })

  it('reads with an independent parser at the right times', async () => {
    const feed = (await organizerFeed(patId, NOW))!
    const parsed = Object.values(ical.sync.parseICS(feed.body)).filter((c) => c?.type === 'VEVENT') as unknown as { uid: string; start: Date; end: Date; rrule?: { after(d: Date): Date | null } }[]
    const upcoming = parsed.find((e) => e.uid === uids.upcoming)!
    expect([upcoming.start.toISOString(), upcoming.end.toISOString()]).toEqual(['2027-06-10T10:00:00.000Z', '2027-06-10T11:00:00.000Z'])
    const weekly = parsed.find((e) => e.uid === uids.weekly)!
    expect(weekly.start.toISOString()).toBe('2026-01-05T08:00:00.000Z')
    // node-ical's rrule: the next Monday after NOW, at 09:00 in Berlin (summer time, UTC+2).
    expect(weekly.rrule!.after(NOW)!.toISOString()).toBe('2027-06-07T07:00:00.000Z')
  })

  it("carries a domain's listed events of every organizer of the domain, and nothing of another domain", async () => {
    const feed = (await domainFeed(domain, NOW))!
    expect(new Set(uidsOf(feed.body))).toEqual(new Set([uids.upcoming, uids.weekly, uids.allDay, uids.cancelled, uids.kim]))
    expect(feed.body).toContain(`X-WR-CALNAME:Events at ${domain}`)
    // The domain is named in any case.
    expect((await domainFeed(domain.toUpperCase(), NOW))!.body).toBe(feed.body)
  })

  it('has no feed for an organizer or a domain the server does not know', async () => {
    expect(await organizerFeed('AAAAAAAAAAAAAAAA', NOW)).toBeNull()
    expect(await domainFeed(`nobody-${run}.example`, NOW)).toBeNull()
  })

  it('keeps a cancelled event until it is past, then leaves it out', async () => {
    const after = (await organizerFeed(patId, new Date('2027-06-15T11:30:00Z')))!
    expect(uidsOf(after.body)).not.toContain(uids.cancelled)
    expect(uidsOf(after.body)).not.toContain(uids.upcoming)
    expect(uidsOf(after.body)).toContain(uids.weekly)
  })

  it('gives the same ETag while nothing changes, and a new ETag and Last-Modified after a change', async () => {
    // Read as of today: every change made here is newer than any event that left the feed.
    const first = (await organizerFeed(patId))!
    const again = (await organizerFeed(patId))!
    expect(again.etag).toBe(first.etag)
    expect(first.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/)
    expect(first.lastModified!.getTime()).toBeLessThanOrEqual(Date.now())
    // Listing changes what the feed holds, so its ETag.
    await setEventListed(uids.unlisted, true)
    const listed = (await organizerFeed(patId))!
    expect(listed.etag).not.toBe(first.etag)
    expect(uidsOf(listed.body)).toContain(uids.unlisted)
    await setEventListed(uids.unlisted, false)
    expect((await organizerFeed(patId))!.etag).toBe(first.etag)
    // The organizer moves an event: a new ETag, and Last-Modified is that change.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const before = Date.now()
    expect(await deliver('create', request(pat, 'Pat Organizer', uids.upcoming, ['SUMMARY:Upcoming talk', 'DTSTART:20270610T110000Z', 'DURATION:PT1H'], 'REQUEST', 1))).toMatchObject({ outcome: 'updated' })
    const moved = (await organizerFeed(patId))!
    expect(moved.etag).not.toBe(first.etag)
    expect(vevent(moved.body, uids.upcoming)).toContain('DTSTART:20270610T110000Z')
    expect(moved.lastModified!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    // As of a later day, the newest thing that happened is a cancelled event becoming past.
    expect((await organizerFeed(patId, NOW))!.lastModified!.toISOString()).toBe('2027-05-15T11:00:00.000Z')
  })

  it('gives the feeds https and webcal addresses', () => {
    expect(feedUrlsOf({ organizerPublicId: patId })).toEqual({
      https: `${config().siteUrl}/organizers/${patId}/events.ics`,
      webcal: `${config().siteUrl.replace(/^https?:/, 'webcal:')}/organizers/${patId}/events.ics`,
    })
    expect(feedUrlsOf({ domain }).webcal).toBe(`${config().siteUrl.replace(/^https?:/, 'webcal:')}/domains/${domain}/events.ics`)
  })
})
