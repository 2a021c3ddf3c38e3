/** Owner views on the local stack: per-domain totals from events mailed in, invited and answered. */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { domainDetail, domainSummaries } from '../../server/services/domain-summaries'
import { inviteToEvent } from '../../server/services/invitations'
import { deliver, imip, mailbox, received, runSendQueue, useFreshSendQueue, useFreshTable } from './support'

function organizerInvite(organizer: string, uid: string, attendees: string[]) {
  return received(
    imip(organizer, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T100000Z', 'DTSTART:20270201T090000Z', 'DTEND:20270201T100000Z', 'SUMMARY:Summary test',
      `ORGANIZER:mailto:${organizer}`, ...attendees.map((a) => `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${a}`), 'END:VEVENT',
    ]),
    organizer,
  )
}
const reply = (who: string, uid: string, organizer: string, partstat: string) =>
  received(
    imip(who, mailbox('rsvp'), 'REPLY', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261121T100000Z', `ORGANIZER:mailto:${organizer}`, `ATTENDEE;PARTSTAT=${partstat}:mailto:${who}`, 'END:VEVENT',
    ]),
    who,
  )

describe('domain summaries', () => {
  const a = `a-${randomUUID()}`
  const b = `b-${randomUUID()}`
  const c = `c-${randomUUID()}`

  beforeAll(async () => {
    await useFreshTable()
    await useFreshSendQueue()
    await deliver('create', organizerInvite('ada@acme.example', a, ['x@guest.example', 'y@guest.example']))
    await deliver('create', organizerInvite('bob@acme.example', b, ['z@guest.example']))
    await deliver('create', organizerInvite('cy@other.example', c, []))
    await deliver('rsvp', reply('x@guest.example', a, 'ada@acme.example', 'ACCEPTED'))
    await deliver('rsvp', reply('y@guest.example', a, 'ada@acme.example', 'DECLINED'))
    await inviteToEvent({ eventUid: b, email: 'w@guest.example', origin: 'api', invitedBy: 'bob@acme.example' })
    await runSendQueue()
  })

  it('sums organizers, events, invitations sent and answers per domain for a system owner', async () => {
    const summaries = await domainSummaries({ systemOwner: true, ownedDomains: [] })
    expect(summaries).toEqual([
      { domain: 'acme.example', organizers: 2, events: 2, invitesSent: 1, accepted: 1, declined: 1, tentative: 0, noAnswer: 2 },
      { domain: 'other.example', organizers: 1, events: 1, invitesSent: 0, accepted: 0, declined: 0, tentative: 0, noAnswer: 0 },
    ])
  })

  it('shows a domain owner only their domains, and one domain with its organizers', async () => {
    expect((await domainSummaries({ systemOwner: false, ownedDomains: ['other.example'] })).map((s) => s.domain)).toEqual(['other.example'])
    const acme = await domainDetail('acme.example')
    expect(acme.organizerList.map((o) => [o.email, o.events]).sort()).toEqual([['ada@acme.example', 1], ['bob@acme.example', 1]])
    expect(acme.organizerList.find((o) => o.email === 'ada@acme.example')?.replies).toBe(2)
  })
})
