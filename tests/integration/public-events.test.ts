/**
 * Public ids and listing against DynamoDB Local: an event gets a random public id with its
 * first write, one stored before ids existed gets one when first asked for (once, whoever
 * asks at the same time), the id leads to the event and nothing else, and listing puts an
 * event on the upcoming list and takes it off again.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import { EventEntity, PublicIdEntity } from '../../server/aws/table'
import { eventDetails } from '../../server/services/event-queries'
import { loadEvent } from '../../server/services/event-store'
import { ensureOrganizerPublicId, ensurePublicId, listUpcomingPublicEvents, organizerOfPublicId, publicEventOf, publicUrlOf, setEventListed } from '../../server/services/public-events'
import { domainDetail } from '../../server/services/domain-summaries'
import { config } from '../../server/config'
import { deliver, imip, mailbox, received, useFreshTable } from './support'

const events = EventEntity.build(EntityRepository)
const organizer = `pat-${randomUUID().slice(0, 8)}@public.example`

function invitation(uid: string, start: string) {
  return received(
    imip(organizer, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261101T000000Z', `DTSTART:${start}`, 'DURATION:PT1H',
      'SUMMARY:Public talk', 'LOCATION:https://meet.google.com/abc-defg-hij', `ORGANIZER;CN=Pat Organizer:mailto:${organizer}`,
      `ATTENDEE;CN=Guest:mailto:guest@public.example`, 'END:VEVENT',
    ]),
    organizer,
  )
}

describe('public ids and listing', () => {
  beforeAll(async () => {
    await useFreshTable()
  })

  it('gives a new event a random public id with its first write, kept by later updates', async () => {
    const uid = `talk-${randomUUID()}@public.example`
    expect(await deliver('create', invitation(uid, '20271001T100000Z'))).toMatchObject({ outcome: 'created' })
    const stored = await loadEvent(uid)
    expect(stored!.publicId).toMatch(/^[A-Za-z0-9_-]{16}$/)
    // Not derived from the UID: another event's id shares nothing with it.
    const other = `talk-${randomUUID()}@public.example`
    await deliver('create', invitation(other, '20271002T100000Z'))
    expect((await loadEvent(other))!.publicId).not.toBe(stored!.publicId)

    const updated = invitation(uid, '20271001T110000Z')
    updated.raw = String(updated.raw).replace('SEQUENCE:0', 'SEQUENCE:1')
    expect(await deliver('create', updated)).toMatchObject({ outcome: 'updated' })
    expect((await loadEvent(uid))!.publicId).toBe(stored!.publicId)

    const details = await eventDetails(uid)
    expect(details!.publicId).toBe(stored!.publicId)
    expect(details!.publicUrl).toBe(`${config().siteUrl}/events/${stored!.publicId}`)
    expect(publicUrlOf(stored!.publicId!)).toBe(details!.publicUrl)
  })

  it('leads from the public id to the event as the public sees it: no attendees, no organizer address', async () => {
    const uid = `talk-${randomUUID()}@public.example`
    await deliver('create', invitation(uid, '20271003T100000Z'))
    const { publicId } = (await loadEvent(uid))!
    const shown = await publicEventOf(publicId!)
    expect(shown).toMatchObject({ publicId, summary: 'Public talk', start: '2027-10-03T10:00:00Z', end: '2027-10-03T11:00:00Z', allDay: false, status: 'CONFIRMED', listed: false, organizerName: 'Pat Organizer' })
    expect(JSON.stringify(shown)).not.toContain(organizer)
    expect(JSON.stringify(shown)).not.toContain(uid)
    expect(JSON.stringify(shown)).not.toContain('guest@public.example')
    expect(await publicEventOf('AAAAAAAAAAAAAAAA')).toBeNull()
  })

  it('gives an event stored before ids existed one id when first asked, however many ask at once', async () => {
    const uid = `old-${randomUUID()}@public.example`
    await events.put({ uid, organizerEmail: organizer, organizerDomain: 'public.example', summary: 'Old event', start: '2027-11-01T10:00:00Z', dtstamp: '2026-11-01T00:00:00Z' })
    expect((await loadEvent(uid))!.publicId).toBeNull()
    const ids = await Promise.all(Array.from({ length: 5 }, () => ensurePublicId(uid)))
    expect(new Set(ids).size).toBe(1)
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect((await loadEvent(uid))!.publicId).toBe(ids[0])
    const { Item } = await PublicIdEntity.build(EntityRepository).get({ publicId: ids[0]! })
    expect(Item?.eventUid).toBe(uid)
    expect((await publicEventOf(ids[0]!))!.summary).toBe('Old event')
    expect(await ensurePublicId(`missing-${randomUUID()}`)).toBeNull()
  })

  it('lists an event on the upcoming list and takes it off again', async () => {
    const uid = `listed-${randomUUID()}@public.example`
    await deliver('create', invitation(uid, '20271004T100000Z'))
    const now = new Date('2027-09-30T00:00:00Z')
    const onList = async () => (await listUpcomingPublicEvents({ q: 'public talk' }, now)).events.some((event) => event.summary === 'Public talk' && event.start === '2027-10-04T10:00:00Z')
    expect(await onList()).toBe(false)
    await setEventListed(uid, true)
    expect((await loadEvent(uid))!.listed).toBe(true)
    expect(await onList()).toBe(true)
    // An organizer's later update keeps the choice.
    const updated = invitation(uid, '20271004T100000Z')
    updated.raw = String(updated.raw).replace('SEQUENCE:0', 'SEQUENCE:1').replace('SUMMARY:Public talk', 'SUMMARY:Public talk')
    await deliver('create', updated)
    expect((await loadEvent(uid))!.listed).toBe(true)
    await setEventListed(uid, false)
    expect(await onList()).toBe(false)
    expect((await publicEventOf((await loadEvent(uid))!.publicId!))!.listed).toBe(false)
  })
})

describe('organizer pages', () => {
  it('gives an organizer one random public id when first asked, leading back to them', async () => {
    const uid = `org-${randomUUID()}@public.example`
    await deliver('create', invitation(uid, '20271005T100000Z'))
    const ids = await Promise.all(Array.from({ length: 4 }, () => ensureOrganizerPublicId(organizer)))
    expect(new Set(ids).size).toBe(1)
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(await organizerOfPublicId(ids[0]!)).toEqual({ email: organizer, name: 'Pat Organizer', domain: 'public.example' })
    expect(await organizerOfPublicId('AAAAAAAAAAAAAAAA')).toBeNull()
    expect(await ensureOrganizerPublicId(`nobody-${randomUUID()}@public.example`)).toBeNull()
    // The event's public view links to the organizer's page and the domain's.
    const shown = await publicEventOf((await loadEvent(uid))!.publicId!)
    expect(shown!.organizerPageUrl).toBe(`${config().siteUrl}/organizers/${ids[0]}`)
    expect(shown!.domainPageUrl).toBe(`${config().siteUrl}/domains/public.example`)
    // The organizer's profile keeps its place among the domain's organizers.
    expect((await domainDetail('public.example')).organizerList.map((row) => row.email)).toContain(organizer)
  })
})

describe('a listing change', () => {
  it('is the event’s latest change (its modified time moves on)', async () => {
    const uid = `when-${randomUUID()}@public.example`
    await deliver('create', invitation(uid, '20271006T100000Z'))
    const before = (await events.get({ uid })).Item!.modified
    await new Promise((resolve) => setTimeout(resolve, 20))
    await setEventListed(uid, true)
    const after = (await events.get({ uid })).Item!.modified
    expect(after > before).toBe(true)
  })
})
