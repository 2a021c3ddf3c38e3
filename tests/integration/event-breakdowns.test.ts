/**
 * An event's breakdowns (answers, clients, origins, answers per day) are kept as a
 * snapshot at the event's version: read again only after a change, and never stale after
 * one, whichever write made it (a reply, an invitation, an organizer's update of many
 * attendees written in several steps).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import { BreakdownsEntity, EventEntity } from '../../server/aws/table'
import { eventDetails, listEventAttendees, loadInvitationsOf } from '../../server/services/event-queries'
import { clients } from '../../server/aws/clients'
import { inviteToEvent } from '../../server/services/invitations'
import { loadAttendees } from '../../server/services/event-store'
import { eventBreakdowns } from '../../server/domain/reports/breakdowns'
import { domainDetail } from '../../server/services/domain-summaries'
import { handleSesEvents } from '../../server/queues/ses-events'
import type { Breakdowns } from '../../shared/schemas/events'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue, sqsRecord, useFreshSendQueue, useFreshTable } from './support'

const organizer = 'breakdowns@acme.example'
const snapshots = BreakdownsEntity.build(EntityRepository)

function organizerInvite(uid: string, sequence: number, attendees: string[]) {
  return received(
    imip(organizer, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, `SEQUENCE:${sequence}`, `DTSTAMP:20261120T10000${sequence}Z`, 'DTSTART:20270201T090000Z', 'DTEND:20270201T100000Z',
      `SUMMARY:Breakdowns ${sequence}`, `ORGANIZER:mailto:${organizer}`, ...attendees.map((a) => `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${a}`), 'END:VEVENT',
    ]),
    organizer,
  )
}
// Each reply a second after the one before: a reply no newer than the last is not recorded.
let replies = 0
const reply = (who: string, uid: string, partstat: string, prodid = '-//Google Inc//Google Calendar 70.9054//EN') =>
  received(
    imip(who, mailbox('rsvp'), 'REPLY', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', `DTSTAMP:20261121T10${String(Math.floor(replies / 60)).padStart(2, '0')}${String(replies++ % 60).padStart(2, '0')}Z`,
      `ORGANIZER:mailto:${organizer}`, `ATTENDEE;PARTSTAT=${partstat}:mailto:${who}`, 'END:VEVENT',
    ]).replace(/PRODID:[^\r\n]*/, `PRODID:${prodid}`),
    who,
  )

/** How many Query requests reach the table while `run` runs (a middleware that only counts). */
async function countingQueries(run: () => Promise<void>): Promise<number> {
  let queries = 0
  const stack = clients().dynamodb.middlewareStack
  stack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries += 1
      return await next(args)
    },
    { step: 'initialize', name: 'countQueries' },
  )
  try {
    await run()
  } finally {
    stack.remove('countQueries')
  }
  return queries
}

/** Runs `run` with every other GetItem's answer held back `ms` after DynamoDB gave it (what a busy machine does to some requests). */
async function withSlowReads(ms: number, run: () => Promise<void>): Promise<void> {
  let reads = 0
  const stack = clients().dynamodb.middlewareStack
  stack.add(
    (next, context) => async (args) => {
      const answer = await next(args)
      if (context.commandName === 'GetItemCommand' && reads++ % 2 === 1) await new Promise((resolve) => setTimeout(resolve, ms))
      return answer
    },
    { step: 'initialize', name: 'slowReads' },
  )
  try {
    await run()
  } finally {
    stack.remove('slowReads')
  }
}

/** The breakdowns computed afresh from every attendee, to compare the kept ones with. */
async function freshBreakdowns(uid: string) {
  const details = await eventDetails(uid)
  return eventBreakdowns(await loadAttendees(uid), [...(await loadInvitationsOf(uid)).values()])
}

describe('event breakdowns', () => {
  const uid = `breakdowns-${randomUUID()}`

  beforeAll(async () => {
    await useFreshTable()
    await useFreshSendQueue()
    await deliver('create', organizerInvite(uid, 0, ['x@guest.example', 'y@guest.example']))
  })

  it('are computed once and kept until the event changes', async () => {
    const first = await eventDetails(uid)
    expect(first!.breakdowns.answers['NEEDS-ACTION']).toBe(2)
    const { Item: event } = await EventEntity.build(EntityRepository).get({ uid })
    const { Item: kept } = await snapshots.get({ eventUid: uid })
    expect(kept).toMatchObject({ version: event!.version, breakdowns: first!.breakdowns })

    // What is kept is what is shown while the version stands (marked so it shows).
    await snapshots.put({ ...kept!, breakdowns: { ...first!.breakdowns, clients: { 'kept snapshot': 1 } } })
    expect((await eventDetails(uid))!.breakdowns.clients).toEqual({ 'kept snapshot': 1 })
  })

  it('are read afresh after a reply', async () => {
    await deliver('rsvp', reply('x@guest.example', uid, 'ACCEPTED'))
    const { breakdowns } = (await eventDetails(uid))!
    expect(breakdowns.clients).toEqual({ 'Google Calendar': 1 })
    expect(breakdowns.answers).toMatchObject({ ACCEPTED: 1, 'NEEDS-ACTION': 1 })
    // Answers are counted on the day they arrived.
    expect(breakdowns.answersOverTime).toEqual([{ day: new Date().toISOString().slice(0, 10), answers: expect.objectContaining({ ACCEPTED: 1 }) }])
  })

  // bench:api found every request for a 10,000-attendee event timing out: each of the views
  // that arrived together after a change read the whole event for itself.
  it('are computed once, and the attendee rows read once, for all the views asking at the same time after a change', async () => {
    await deliver('rsvp', reply('y@guest.example', uid, 'TENTATIVE'))
    const attendeeQueries = await countingQueries(async () => {
      const [details, lists] = await Promise.all([
        Promise.all(Array.from({ length: 10 }, () => eventDetails(uid))),
        Promise.all(Array.from({ length: 10 }, () => listEventAttendees(uid, { limit: 100 }))),
      ])
      expect(details.map((view) => view!.breakdowns.answers.TENTATIVE)).toEqual(Array(10).fill(1))
      expect(lists.map((list) => list.matching)).toEqual(Array(10).fill(2))
    })
    // The breakdowns read the attendees and the invitations once; the list its rows once.
    expect(attendeeQueries).toBe(3)
  })

  // CI found the breakdowns computed twice: views whose reads of the snapshot had found none
  // came back after the first computation had stored it and left.
  it('are computed once also for the views whose reads came back after the first computation', async () => {
    await deliver('rsvp', reply('y@guest.example', uid, 'DECLINED'))
    const attendeeQueries = await countingQueries(() =>
      withSlowReads(600, async () => {
        const details = await Promise.all(Array.from({ length: 6 }, () => eventDetails(uid)))
        expect(details.map((view) => view!.breakdowns.answers.DECLINED)).toEqual(Array(6).fill(1))
      }),
    )
    expect(attendeeQueries).toBe(2)
  })

  it('count an invitation to someone the organizer already named', async () => {
    await eventDetails(uid)
    const outcome = await inviteToEvent({ eventUid: uid, email: 'y@guest.example', origin: 'vip', invitedBy: organizer })
    expect(outcome.outcome).toBe('queued')
    expect((await eventDetails(uid))!.breakdowns.origins).toEqual({ 'vip': 1 })
  })

  it('are never left stale by an update of many attendees written in several steps', async () => {
    const many = Array.from({ length: 400 }, (_, i) => `guest${i}@many.example`)
    let reading = true
    // Reads all along the update: one may land between its transaction and its last attendee.
    const reader = (async () => {
      while (reading) await eventDetails(uid)
    })()
    await deliver('create', organizerInvite(uid, 1, ['x@guest.example', 'y@guest.example', ...many]))
    reading = false
    await reader
    const { breakdowns } = (await eventDetails(uid))!
    expect(Object.values(breakdowns.answers).reduce((sum, n) => sum + n, 0)).toBe(402)
    expect(breakdowns).toEqual(await freshBreakdowns(uid))
  }, 60_000)
})

describe('the invitation funnel', () => {
  const uid = `funnel-${randomUUID()}`
  const [kept, gone] = [`kept-${randomUUID().slice(0, 8)}@funnel.example`, `gone-${randomUUID().slice(0, 8)}@funnel.example`]

  it('follows the sends, a permanent bounce and a reply, each read afresh from the kept breakdowns', async () => {
    await deliver('create', organizerInvite(uid, 0, []))
    const since = Date.now()
    for (const email of [kept, gone]) await inviteToEvent({ eventUid: uid, email, origin: 'api', invitedBy: organizer })
    expect((await eventDetails(uid))!.breakdowns.funnel).toEqual({ invited: 2, sent: 0, delivered: 0, answered: 0 })
    await runSendQueue()
    expect((await eventDetails(uid))!.breakdowns.funnel).toEqual({ invited: 2, sent: 2, delivered: 2, answered: 0 })

    // What SES publishes when the recipient's server refuses the address; it changes no attendee, only the invitation.
    const [sent] = await rawSentMail(since, gone)
    const bounce = {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: new Date().toISOString(), bouncedRecipients: [{ emailAddress: gone, diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
      mail: { messageId: sent!.messageId, timestamp: new Date().toISOString(), source: mailbox('rsvp'), destination: [gone] },
    }
    expect(await handleSesEvents({ Records: [sqsRecord('bounce-1', JSON.stringify({ Type: 'Notification', Message: JSON.stringify(bounce) }))] })).toEqual({ batchItemFailures: [] })
    expect((await eventDetails(uid))!.breakdowns.funnel).toEqual({ invited: 2, sent: 2, delivered: 1, answered: 0 })

    await deliver('rsvp', reply(kept, uid, 'ACCEPTED'))
    expect((await eventDetails(uid))!.breakdowns.funnel).toEqual({ invited: 2, sent: 2, delivered: 1, answered: 1 })
  })

  it('is computed again from a snapshot kept before the funnel existed', async () => {
    const { Item: snapshot } = await snapshots.get({ eventUid: uid })
    const { funnel, ...older } = snapshot!.breakdowns as Breakdowns
    await snapshots.put({ ...snapshot!, breakdowns: older })
    expect((await eventDetails(uid))!.breakdowns.funnel).toEqual(funnel)
  })
})

describe('shared repliers (a forwarded invite)', () => {
  const domain = `shared-${randomUUID().slice(0, 8)}.example`
  const host = `host@${domain}`
  const uid = `shared-${randomUUID()}`
  const request = received(
    imip(host, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T100000Z', 'DTSTART:20270201T090000Z', 'DTEND:20270201T100000Z', 'SUMMARY:Forwarded',
      `ORGANIZER:mailto:${host}`, 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:x@guest.example', 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:y@guest.example', 'END:VEVENT',
    ]),
    host,
  )
  const answer = (who: string, partstat: string) =>
    received(
      imip(who, mailbox('rsvp'), 'REPLY', [
        'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261121T100000Z', `ORGANIZER:mailto:${host}`, `ATTENDEE;PARTSTAT=${partstat}:mailto:${who}`, 'END:VEVENT',
      ]),
      who,
    )

  beforeAll(async () => {
    await deliver('create', request)
    await deliver('rsvp', answer('x@guest.example', 'ACCEPTED'))
    // Two people x forwarded the invite to: never invited, so shared, whatever they answer.
    await deliver('rsvp', answer('colleague@elsewhere.example', 'ACCEPTED'))
    await deliver('rsvp', answer('friend@elsewhere.example', 'DECLINED'))
  })

  it('are never counted as Yes, No or Maybe: the event counts, the answer chart and the domain totals agree', async () => {
    const { counts, breakdowns } = (await eventDetails(uid))!
    const totals = await domainDetail(domain)
    const yesNoMaybe = {
      counts: [counts.accepted, counts.declined, counts.tentative, counts.needsAction],
      chart: [breakdowns.answers.ACCEPTED, breakdowns.answers.DECLINED, breakdowns.answers.TENTATIVE, breakdowns.answers['NEEDS-ACTION']],
      overTime: [breakdowns.answersOverTime.reduce((sum, day) => sum + day.answers.ACCEPTED, 0), breakdowns.answersOverTime.reduce((sum, day) => sum + day.answers.DECLINED, 0)],
      domain: [totals.accepted, totals.declined, totals.tentative, totals.noAnswer],
    }
    expect(yesNoMaybe).toEqual({ counts: [1, 0, 0, 1], chart: [1, 0, 0, 1], overTime: [1, 0], domain: [1, 0, 0, 1] })
    // Shown as such, beside the answers.
    expect(counts.shared).toBe(2)
    expect(breakdowns.shared).toBe(2)
  })
})
