/**
 * The public lists against DynamoDB Local: the site's, an organizer's and a domain's upcoming
 * listed events (single events by start, a series by its next occurrence however long ago it
 * began; cancelled, unlisted and past ones left out), searched by summary or location, and the
 * short in-process memory in front of them (a change shows within its time; concurrent reads
 * of a value not in memory make one read of the table).
 */
import { describe, it, expect, beforeAll, beforeEach, afterEach, vi } from 'vitest'
import { randomUUID } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity, OrganizerEntity, PublicIdEntity } from '../../server/aws/table'
import { clients } from '../../server/aws/clients'
import { newPublicId } from '../../server/services/event-store'
import { forgetPublicReads, PUBLIC_CACHE_SECONDS } from '../../server/services/public-cache'
import {
  ensureOrganizerPublicId, listDomainPublicEvents, listOrganizerPublicEvents, listUpcomingPublicEvents, publicEventOf, publicUrlOf, setEventListed,
} from '../../server/services/public-events'
import { LIST_PAGE_SIZE } from '../../shared/schemas/public-listing'
import { useFreshTable } from './support'

const events = EventEntity.build(EntityRepository)
const suffix = randomUUID().slice(0, 8)
const alpha = `alpha-${suffix}.example`
const beta = `beta-${suffix}.example`
const ann = `ann@${alpha}`
const ben = `ben@${beta}`
const now = new Date('2027-03-10T08:00:00Z')

/** Stores an event with its public id (and pointer), as the pipeline writes one. */
async function stored(summary: string, start: string, more: Partial<Parameters<typeof events.put>[0]> = {}) {
  const uid = `${randomUUID()}@listing.test`
  const publicId = newPublicId()
  const organizerEmail = more.organizerEmail ?? ann
  await events.put({
    uid, organizerEmail, organizerDomain: organizerEmail.split('@')[1]!, organizerName: organizerEmail === ann ? 'Ann' : 'Ben',
    summary, start, dtstamp: '2027-01-01T00:00:00Z', listed: true, publicId, ...more,
  })
  await PublicIdEntity.build(EntityRepository).put({ publicId, eventUid: uid })
  return { uid, publicId }
}

const summaries = (list: { events: { summary: string }[] } | null) => list!.events.map((event) => event.summary)

describe('public lists', () => {
  let annPublicId = ''
  const ids: Record<string, { uid: string; publicId: string }> = {}

  beforeAll(async () => {
    await useFreshTable()
    const organizers = OrganizerEntity.build(EntityRepository)
    await organizers.put({ email: ann, domain: alpha, name: 'Ann' })
    await organizers.put({ email: ben, domain: beta, name: 'Ben' })
    annPublicId = (await ensureOrganizerPublicId(ann))!
    ids.soon = await stored('Jazz night', '2027-03-11T19:00:00Z', { end: '2027-03-11T21:00:00Z', location: 'Café Müller', timezone: 'Europe/Berlin' })
    ids.later = await stored('Spring fair', '2027-04-02', { end: '2027-04-03', allDay: true })
    ids.nextYear = await stored('Annual meeting', '2028-01-15T10:00:00Z')
    ids.today = await stored('Morning run', '2027-03-10T09:00:00Z')
    // A weekly series since 2020, on Tuesdays at 18:00 in New York: next on 16 March 2027 (EDT).
    ids.series = await stored('Tuesday book club', '2020-01-07T23:00:00Z', {
      end: '2020-01-08T00:00:00Z', rrule: 'FREQ=WEEKLY;BYDAY=TU', timezone: 'America/New_York', tzid: 'America/New_York', startLocal: '2020-01-07T18:00:00',
    })
    ids.ended = await stored('Finished course', '2020-01-07T10:00:00Z', { rrule: 'FREQ=WEEKLY;COUNT=3' })
    ids.past = await stored('Last week', '2027-03-03T10:00:00Z')
    ids.cancelled = await stored('Called off', '2027-03-12T10:00:00Z', { status: 'CANCELLED' })
    ids.unlisted = await stored('Board meeting', '2027-03-12T11:00:00Z', { listed: false })
    ids.bens = await stored('Beta launch', '2027-03-13T10:00:00Z', { organizerEmail: ben, location: 'Jazz cellar' })
  })

  beforeEach(() => forgetPublicReads())

  it('lists the site’s upcoming listed events soonest first, a series by its next occurrence, with public ids and pages only', async () => {
    const list = await listUpcomingPublicEvents({}, now)
    expect(summaries(list)).toEqual(['Morning run', 'Jazz night', 'Beta launch', 'Tuesday book club', 'Spring fair', 'Annual meeting'])
    const club = list.events.find((event) => event.summary === 'Tuesday book club')!
    expect(club).toMatchObject({ start: '2027-03-16T22:00:00Z', end: '2027-03-16T23:00:00Z', repeats: 'every week on Tuesday', timezone: 'America/New_York' })
    const jazz = list.events.find((event) => event.summary === 'Jazz night')!
    expect(jazz).toEqual({
      publicId: ids.soon!.publicId, pageUrl: publicUrlOf(ids.soon!.publicId), summary: 'Jazz night', start: '2027-03-11T19:00:00Z', end: '2027-03-11T21:00:00Z',
      allDay: false, timezone: 'Europe/Berlin', location: 'Café Müller', organizerName: 'Ann', repeats: null,
    })
    // Never the UID, nor whose address it is.
    const text = JSON.stringify(list)
    for (const { uid } of Object.values(ids)) expect(text).not.toContain(uid)
    expect(text).not.toContain(ann)
    expect(list.nextPage).toBeNull()
  })

  it('searches summary and location, whatever the case and accents', async () => {
    expect(summaries(await listUpcomingPublicEvents({ q: 'JAZZ' }, now))).toEqual(['Jazz night', 'Beta launch'])
    expect(summaries(await listUpcomingPublicEvents({ q: 'cafe muller' }, now))).toEqual(['Jazz night'])
    expect(summaries(await listUpcomingPublicEvents({ q: 'book club' }, now))).toEqual(['Tuesday book club'])
    expect(summaries(await listUpcomingPublicEvents({ q: 'board' }, now))).toEqual([])
  })

  it('lists an organizer’s own by their public id, and a domain’s; unknown ones are null', async () => {
    const annsList = await listOrganizerPublicEvents(annPublicId, {}, now)
    expect(annsList!.organizer).toMatchObject({ name: 'Ann', domain: alpha })
    expect(summaries(annsList)).toEqual(['Morning run', 'Jazz night', 'Tuesday book club', 'Spring fair', 'Annual meeting'])
    expect(summaries(await listOrganizerPublicEvents(annPublicId, { q: 'jazz' }, now))).toEqual(['Jazz night'])
    expect(JSON.stringify(annsList)).not.toContain(ann)
    expect(await listOrganizerPublicEvents('AAAAAAAAAAAAAAAA', {}, now)).toBeNull()

    expect(summaries(await listDomainPublicEvents(beta, {}, now))).toEqual(['Beta launch'])
    expect(summaries(await listDomainPublicEvents(alpha.toUpperCase(), { q: 'fair' }, now))).toEqual(['Spring fair'])
    expect(await listDomainPublicEvents(`nobody-${suffix}.example`, {}, now)).toBeNull()
  })

  it('pages a long list', async () => {
    const many = `many-${suffix}.example`
    await OrganizerEntity.build(EntityRepository).put({ email: `mia@${many}`, domain: many, name: 'Mia' })
    for (let i = 0; i < LIST_PAGE_SIZE + 3; i++) await stored(`Session ${String(i).padStart(2, '0')}`, `2027-05-01T${String(8 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}:00Z`, { organizerEmail: `mia@${many}` })
    const first = await listDomainPublicEvents(many, {}, now)
    expect(first!.events).toHaveLength(LIST_PAGE_SIZE)
    expect(first!.nextPage).toBe(2)
    const second = await listDomainPublicEvents(many, { page: 2 }, now)
    expect(summaries(second)).toEqual(['Session 30', 'Session 31', 'Session 32'])
    expect(second!.nextPage).toBeNull()
  })

  it('shows a change made elsewhere within the cache time, and one made here at once', async () => {
    const { uid, publicId } = await stored('Pop-up show', '2027-03-20T18:00:00Z')
    const onList = async () => summaries(await listUpcomingPublicEvents({ q: 'pop-up' }, now)).length > 0
    expect(await onList()).toBe(true)
    expect((await publicEventOf(publicId))!.summary).toBe('Pop-up show')
    // Another process (a mailed update, another Lambda instance) renames and unlists it.
    const { Item } = await events.get({ uid })
    await events.put({ ...Item!, summary: 'Pop-up show (moved)', listed: false })
    expect(await onList()).toBe(true)
    expect((await publicEventOf(publicId))!.summary).toBe('Pop-up show')
    await new Promise((resolve) => setTimeout(resolve, PUBLIC_CACHE_SECONDS * 1000 + 200))
    expect(await onList()).toBe(false)
    expect((await publicEventOf(publicId))!.summary).toBe('Pop-up show (moved)')
    // Listed again through this process: its own memory is forgotten at once.
    await setEventListed(uid, true)
    expect(await onList()).toBe(true)
  }, 20_000)

  describe('reads of the table', () => {
    let reads = 0
    beforeEach(() => {
      reads = 0
      const documents = clients().documents
      const send = documents.send.bind(documents)
      // Counts, and passes every call on to DynamoDB Local unchanged.
      vi.spyOn(documents, 'send').mockImplementation(((command: Parameters<typeof send>[0]) => {
        reads++
        return send(command)
      }) as typeof documents.send)
    })
    afterEach(() => vi.restoreAllMocks())

    it('makes 50 concurrent requests for a list or an event not in memory cost one read of each', async () => {
      await listUpcomingPublicEvents({}, now)
      const once = reads
      expect(once).toBeGreaterThan(0)
      forgetPublicReads()
      reads = 0
      const lists = await Promise.all(Array.from({ length: 50 }, (_, i) => listUpcomingPublicEvents({ q: i % 2 ? 'jazz' : undefined }, now)))
      expect(reads).toBe(once)
      expect(summaries(lists[1]!)).toEqual(['Jazz night', 'Beta launch'])

      reads = 0
      const shown = await Promise.all(Array.from({ length: 50 }, () => publicEventOf(ids.soon!.publicId)))
      // The pointer, the event and the organizer's public id: once, not 50 times.
      expect(reads).toBe(3)
      expect(new Set(shown.map((event) => event!.summary))).toEqual(new Set(['Jazz night']))
      reads = 0
      await Promise.all(Array.from({ length: 50 }, () => listUpcomingPublicEvents({}, now)))
      await publicEventOf(ids.soon!.publicId)
      expect(reads).toBe(0)
    })
  })
})
