/**
 * Items written by earlier versions of the server stay readable: a field added later is
 * absent on them (DynamoDB has no migrations), and every read must cope.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { clients } from '../../server/aws/clients'
import { config } from '../../server/config'
import { loadEvent } from '../../server/services/event-store'
import { eventDetails, listOrganizerEvents } from '../../server/services/event-queries'
import { domainSummaries } from '../../server/services/domain-summaries'
import { useFreshTable } from './support'

describe('items stored by earlier versions', () => {
  beforeAll(async () => {
    await useFreshTable()
    // An event exactly as the inbound pipeline stored it before sending existed
    // (no inviteSequence, no invitesSent), and its organizer before its counters were links.
    const put = (Item: Record<string, unknown>) => clients().documents.send(new PutCommand({ TableName: config().tableName, Item }))
    await put({
      pk: 'EVENT#old-event@test', sk: 'EVENT', _et: 'Event', uid: 'old-event@test', organizerEmail: 'old@legacy.example', organizerDomain: 'legacy.example',
      summary: 'Stored long ago', start: '2027-05-01T10:00:00Z', allDay: false, exdates: [], rdates: [], instances: {}, status: 'CONFIRMED', sequence: 2,
      dtstamp: '2026-10-01T00:00:00Z', listed: false, counts: { accepted: 1, declined: 0, tentative: 0, needsAction: 0, delegated: 0, shared: 0 }, attendeeCount: 1,
      version: 3, gsi1pk: 'ORGANIZER#old@legacy.example', gsi1sk: '2027-05-01T10:00:00Z#old-event@test', gsi2pk: 'DOMAIN#legacy.example', gsi2sk: 'EVENT#2027-05-01T10:00:00Z#old-event@test',
      _ct: '2026-10-01T00:00:00.000Z', _md: '2026-10-01T00:00:00.000Z',
    })
    await put({ pk: 'ORGANIZER#old@legacy.example', sk: 'PROFILE', _et: 'Organizer', domain: 'legacy.example', eventCount: 1, gsi3pk: 'ORGANIZERS', gsi3sk: 'legacy.example#old@legacy.example', _ct: '2026-10-01T00:00:00.000Z', _md: '2026-10-01T00:00:00.000Z' })
  })

  it('reads an event without the fields sending added', async () => {
    expect(await loadEvent('old-event@test')).toMatchObject({ inviteSequence: 2, invitesSent: 0 })
    expect((await listOrganizerEvents('old@legacy.example', { view: 'upcoming', limit: 10 }, new Date('2026-11-23T00:00:00Z'))).events).toHaveLength(1)
    expect(await eventDetails('old-event@test')).toMatchObject({ summary: 'Stored long ago' })
  })

  it('reads an event stored before the organizer\'s zone, wall-clock time and TRANSP were kept', async () => {
    const stored = await loadEvent('old-event@test')
    expect(stored?.state).toMatchObject({ start: '2027-05-01T10:00:00Z', timezone: null, tzid: null, startLocal: null, vtimezone: null, transp: null })
  })

  it('sums a domain with such events and an organizer without a reply counter', async () => {
    expect(await domainSummaries({ systemOwner: false, ownedDomains: ['legacy.example'] })).toEqual([
      { domain: 'legacy.example', organizers: 1, events: 1, invitesSent: 0, accepted: 1, declined: 0, tentative: 0, noAnswer: 0 },
    ])
  })
})
