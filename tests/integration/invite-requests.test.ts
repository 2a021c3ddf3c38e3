/**
 * "Send me the invite" (double opt-in) and web answers on the local stack, through the send
 * queue and the SES stand-in: the first request mails a confirmation without a calendar;
 * opening its link changes nothing; its button sends the invitation and remembers the
 * address for the organizer, whose other events then invite it at once. Everyone gets the
 * same answer. Every invitation carries Yes / Maybe / No links whose POST records the
 * answer as a REPLY would, and still works after a newer SEQUENCE.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import PostalMime from 'postal-mime'
import { EntityRepository } from 'dynamodb-toolbox'
import { InviteConsentEntity } from '../../server/aws/table'
import { config, resetConfig } from '../../server/config'
import { loadAttendee, loadEvent } from '../../server/services/event-store'
import { eventDetails } from '../../server/services/event-queries'
import { inviteToEvent, loadInvitation } from '../../server/services/invitations'
import {
  INVITE_REQUEST_CLIENT_LIMITED,
  INVITE_REQUEST_EVENT_LIMITED,
  INVITE_REQUEST_MESSAGE,
  confirmInviteRequest,
  inviteRequestLinkOf,
  requestInvite,
} from '../../server/services/invite-requests'
import { answerByToken, webAnswerLinkOf } from '../../server/services/web-answers'
import { block, unsubscribe } from '../../server/services/suppression'
import { enqueueSendJobs } from '../../server/services/send-jobs'
import { WEB_ANSWER_PRODID } from '../../server/domain/itip/web-answer'
import { expectProperInvitation } from '../support/invitation-mime'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue, useFreshSendQueue, useFreshTable } from './support'

const consents = InviteConsentEntity.build(EntityRepository)
const run = randomUUID().slice(0, 8)
const ORGANIZER = `olga-${run}@optin.example`
const OTHER_ORGANIZER = `otto-${run}@elsewhere.example`

/** An event mailed in by `organizer` (verified); its public id. */
async function publishedEvent(options: { organizer?: string; sequence?: number; uid?: string; start?: string; cancelled?: boolean } = {}) {
  const organizer = options.organizer ?? ORGANIZER
  const uid = options.uid ?? `optin-${randomUUID()}@optin.example`
  const sequence = options.sequence ?? 0
  const start = options.start ?? '20270301T170000Z'
  const outcome = await deliver(
    'create',
    received(
      imip(organizer, mailbox('create'), options.cancelled ? 'CANCEL' : 'REQUEST', [
        'BEGIN:VEVENT', `UID:${uid}`, `SEQUENCE:${sequence}`, `DTSTAMP:2026110${sequence + 1}T000000Z`, `DTSTART:${start}`, 'DURATION:PT2H',
        'SUMMARY:Open evening', ...(options.cancelled ? ['STATUS:CANCELLED'] : []), `ORGANIZER;CN=Olga Organizer:mailto:${organizer}`, 'END:VEVENT',
      ]),
      organizer,
    ),
  )
  expect(['created', 'updated', 'cancelled']).toContain(outcome.outcome)
  return { uid, publicId: (await loadEvent(uid))!.publicId! }
}

const address = (who: string) => `${who}-${run}@visitors.example`
/** A client address of its own for each test, so limits of one test never meet another's. */
let clients = 0
const client = () => `198.51.100.${++clients}`

async function mailTo(since: number, to: string) {
  return Promise.all((await rawSentMail(since, to)).map(async (m) => ({ raw: m.raw, parsed: await PostalMime.parse(m.raw) })))
}
const tokenIn = (text: string, path: string) => new RegExp(`${config().siteUrl}/${path}/([A-Za-z0-9_.-]+)`).exec(text)?.[1]

describe('send me the invite (double opt-in)', () => {
  beforeAll(async () => {
    process.env.CIS_SEND_RATE = '500'
    resetConfig()
    await useFreshTable()
    await useFreshSendQueue(3)
  })

  it('mails a confirmation without a calendar; opening its link changes nothing; its button sends the invitation and remembers the address', async () => {
    const { uid, publicId } = await publishedEvent()
    const vera = address('vera')
    const since = Date.now()
    expect(await requestInvite(publicId, vera.toUpperCase(), 'landing-page', client())).toEqual({ outcome: 'accepted', message: INVITE_REQUEST_MESSAGE })
    await runSendQueue()

    const [confirmation, ...more] = await mailTo(since, vera)
    expect(more).toHaveLength(0)
    expect(confirmation!.raw.toString('latin1')).not.toMatch(/text\/calendar|application\/ics|BEGIN:VCALENDAR/i)
    expect(confirmation!.parsed.subject).toBe('Confirm: send the invitation to "Open evening"')
    expect(confirmation!.parsed.text).toContain(`sent to ${vera}`)
    const token = tokenIn(confirmation!.parsed.text!, 'invite-requests')!
    expect(token).toBeTruthy()

    // What a link scanner does: read the page's data. Nothing is sent or remembered.
    expect(await inviteRequestLinkOf(token)).toMatchObject({ email: vera, event: { publicId, summary: 'Open evening' } })
    await runSendQueue()
    expect(await loadInvitation(uid, vera)).toBeNull()
    expect((await consents.get({ email: vera, organizerEmail: ORGANIZER })).Item).toBeUndefined()
    expect(await mailTo(since, vera)).toHaveLength(1)

    // The button.
    const afterConfirm = Date.now()
    expect(await confirmInviteRequest(token)).toEqual({ outcome: 'sent', message: `The invitation is on its way to ${vera}.` })
    expect(await loadInvitation(uid, vera)).toMatchObject({ origin: 'landing-page', status: 'queued' })
    await runSendQueue()
    const [invitation, ...again] = await mailTo(afterConfirm, vera)
    expect(again).toHaveLength(0)
    expectProperInvitation(invitation!.raw, { method: 'REQUEST', recipient: vera, uid, sequence: 0, unsubscribe: true })
    expect((await consents.get({ email: vera, organizerEmail: ORGANIZER })).Item).toMatchObject({ eventUid: uid })
    expect(await loadAttendee(uid, vera)).toMatchObject({ source: 'invite', partstat: 'NEEDS-ACTION' })

    // Pressing the button again sends nothing more.
    expect(await confirmInviteRequest(token)).toMatchObject({ outcome: 'sent' })
    await runSendQueue()
    expect(await mailTo(afterConfirm, vera)).toHaveLength(1)

    // Another event of the same organizer: the invitation at once, no confirmation.
    const second = await publishedEvent()
    const beforeSecond = Date.now()
    expect(await requestInvite(second.publicId, vera, 'embed', client())).toEqual({ outcome: 'accepted', message: INVITE_REQUEST_MESSAGE })
    await runSendQueue()
    const [direct, ...rest] = await mailTo(beforeSecond, vera)
    expect(rest).toHaveLength(0)
    expectProperInvitation(direct!.raw, { method: 'REQUEST', recipient: vera, uid: second.uid, sequence: 0, unsubscribe: true })
    expect(await loadInvitation(second.uid, vera)).toMatchObject({ origin: 'embed', status: 'sent' })

    // Another organizer's event: the consent was not theirs, so a confirmation first.
    const elsewhere = await publishedEvent({ organizer: OTHER_ORGANIZER })
    const beforeOther = Date.now()
    await requestInvite(elsewhere.publicId, vera, 'landing-page', client())
    await runSendQueue()
    const [otherMail] = await mailTo(beforeOther, vera)
    expect(otherMail!.parsed.subject).toMatch(/^Confirm:/)
    expect(await loadInvitation(elsewhere.uid, vera)).toBeNull()
  })

  it('mails one confirmation when the queue delivers the request’s job twice', async () => {
    const { publicId } = await publishedEvent()
    const twice = address('twice')
    const job = { type: 'invite-request' as const, requestId: randomUUID(), publicId, email: twice, origin: 'landing-page' as const }
    const since = Date.now()
    await enqueueSendJobs([job, job])
    await runSendQueue()
    expect(await mailTo(since, twice)).toHaveLength(1)
  })

  it('sends nothing at all to a blocked or unsubscribed address, with the same answer', { tags: ['security'] }, async () => {
    const { publicId } = await publishedEvent()
    const blocked = address('blocked')
    const gone = address('gone')
    await block(blocked)
    await unsubscribe(gone)
    const since = Date.now()
    expect(await requestInvite(publicId, blocked, 'landing-page', client())).toEqual({ outcome: 'accepted', message: INVITE_REQUEST_MESSAGE })
    expect(await requestInvite(publicId, gone, 'landing-page', client())).toEqual({ outcome: 'accepted', message: INVITE_REQUEST_MESSAGE })
    await runSendQueue()
    expect(await mailTo(since, blocked)).toHaveLength(0)
    expect(await mailTo(since, gone)).toHaveLength(0)
  })

  it('gives one answer whoever the address is: new, confirmed, suppressed, the server’s own, over its limit', { tags: ['security'] }, async () => {
    const { publicId } = await publishedEvent()
    const over = address('over')
    for (let i = 0; i < 3; i++) await requestInvite(publicId, over, 'landing-page', client())
    const answers = await Promise.all(
      [address('fresh'), address('vera'), address('blocked'), mailbox('rsvp'), over].map((email) => requestInvite(publicId, email, 'landing-page', client())),
    )
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ outcome: 'accepted', message: INVITE_REQUEST_MESSAGE })]))
  })

  it('limits mail to one address silently, and answers 429 only per client and per event', { tags: ['security'] }, async () => {
    const { publicId } = await publishedEvent()
    const pia = address('pia')
    const since = Date.now()
    // From many clients, with case and +tags varied: the mailbox still gets three confirmations an hour, and every answer is the same.
    const variants = [pia, pia.toUpperCase(), `pia-${run}+news@visitors.example`, pia, `pia-${run}+x@visitors.example`]
    for (const variant of variants) expect(await requestInvite(publicId, variant, 'landing-page', client())).toEqual({ outcome: 'accepted', message: INVITE_REQUEST_MESSAGE })
    await runSendQueue()
    const received = (await Promise.all([...new Set(variants.map((v) => v.toLowerCase()))].map((v) => mailTo(since, v)))).flat()
    expect(received).toHaveLength(3)

    const one = client()
    const limits = { perClient: 2 }
    expect(await requestInvite(publicId, address('c1'), 'landing-page', one, { limits })).toMatchObject({ outcome: 'accepted' })
    expect(await requestInvite(publicId, address('c2'), 'landing-page', one, { limits })).toMatchObject({ outcome: 'accepted' })
    expect(await requestInvite(publicId, address('c3'), 'landing-page', one, { limits })).toEqual({ outcome: 'rate-limited', message: INVITE_REQUEST_CLIENT_LIMITED })
    // Another client is not held up by that one.
    expect(await requestInvite(publicId, address('c3'), 'landing-page', client(), { limits })).toMatchObject({ outcome: 'accepted' })

    const busy = await publishedEvent()
    const perEvent = { perEvent: 2 }
    expect(await requestInvite(busy.publicId, address('e1'), 'landing-page', client(), { limits: perEvent })).toMatchObject({ outcome: 'accepted' })
    expect(await requestInvite(busy.publicId, address('e2'), 'landing-page', client(), { limits: perEvent })).toMatchObject({ outcome: 'accepted' })
    expect(await requestInvite(busy.publicId, address('e3'), 'landing-page', client(), { limits: perEvent })).toEqual({ outcome: 'rate-limited', message: INVITE_REQUEST_EVENT_LIMITED })
  })

  it('refuses unknown, cancelled and past events, and links that are tampered with or expired', { tags: ['security'] }, async () => {
    expect(await requestInvite('AAAAAAAAAAAAAAAA', address('x'), 'landing-page', client())).toMatchObject({ outcome: 'unknown-event' })
    const cancelled = await publishedEvent()
    await publishedEvent({ uid: cancelled.uid, sequence: 1, cancelled: true })
    expect(await requestInvite(cancelled.publicId, address('x'), 'landing-page', client())).toEqual({ outcome: 'closed', message: 'This event is cancelled, so no invitations are sent for it.' })
    const past = await publishedEvent({ start: '20260101T100000Z' })
    expect(await requestInvite(past.publicId, address('x'), 'landing-page', client())).toEqual({ outcome: 'closed', message: 'This event is over, so no invitations are sent for it.' })

    const { publicId } = await publishedEvent()
    const since = Date.now()
    const zed = address('zed')
    await requestInvite(publicId, zed, 'landing-page', client())
    await runSendQueue()
    const token = tokenIn((await mailTo(since, zed))[0]!.parsed.text!, 'invite-requests')!
    const [payload, signature] = token.split('.') as [string, string]
    const forged = `${Buffer.from(Buffer.from(payload, 'base64url').toString().replace(zed, address('eve'))).toString('base64url')}.${signature}`
    expect(await inviteRequestLinkOf(forged)).toBeNull()
    expect(await confirmInviteRequest(forged)).toMatchObject({ outcome: 'invalid' })
    const later = new Date(Date.now() + 4 * 86_400_000)
    expect(await inviteRequestLinkOf(token, later)).toEqual({ expired: true })
    expect(await confirmInviteRequest(token, { now: () => later })).toMatchObject({ outcome: 'expired' })
  })
})

describe('web answers in every invitation', () => {
  it('opening the link changes nothing; its POST records the answer as a REPLY would, and a later SEQUENCE keeps the link working', async () => {
    const { uid } = await publishedEvent()
    const bob = address('bob')
    const since = Date.now()
    await inviteToEvent({ eventUid: uid, email: bob, origin: 'api', invitedBy: ORGANIZER })
    await runSendQueue()
    const [mail] = await mailTo(since, bob)
    const text = mail!.parsed.text!
    const token = tokenIn(text, 'rsvp')!
    for (const answer of ['ACCEPTED', 'TENTATIVE', 'DECLINED']) expect(text).toContain(`${config().siteUrl}/rsvp/${token}?answer=${answer}`)
    expect(mail!.parsed.html).toContain(`href="${config().siteUrl}/rsvp/${token}?answer=ACCEPTED"`)

    const before = await eventDetails(uid)
    expect(await webAnswerLinkOf(token)).toMatchObject({ email: bob, summary: 'Open evening', answer: 'NEEDS-ACTION', status: 'CONFIRMED' })
    expect(await loadAttendee(uid, bob)).toMatchObject({ partstat: 'NEEDS-ACTION', history: [] })
    expect((await eventDetails(uid))!.counts).toEqual(before!.counts)

    expect(await answerByToken(token, 'ACCEPTED')).toMatchObject({ outcome: 'recorded', answer: 'ACCEPTED' })
    const answered = await loadAttendee(uid, bob)
    expect(answered).toMatchObject({ partstat: 'ACCEPTED', answeredServerInvite: true })
    expect(answered!.history).toEqual([expect.objectContaining({ partstat: 'ACCEPTED', prodid: WEB_ANSWER_PRODID })])
    const details = await eventDetails(uid)
    expect(details!.counts).toMatchObject({ accepted: before!.counts.accepted + 1, needsAction: before!.counts.needsAction - 1 })
    expect(details!.breakdowns.clients).toMatchObject({ Web: 1 })
    expect(details!.breakdowns.answers.ACCEPTED).toBe(1)
    expect(await webAnswerLinkOf(token)).toMatchObject({ answer: 'ACCEPTED' })

    // Changed later from the same page.
    expect(await answerByToken(token, 'TENTATIVE')).toMatchObject({ outcome: 'recorded' })
    expect((await loadAttendee(uid, bob))!.history.map((h) => h.partstat)).toEqual(['ACCEPTED', 'TENTATIVE'])

    // The organizer moves the event (SEQUENCE 1): bob is asked again, and the old link still answers.
    await publishedEvent({ uid, sequence: 1, start: '20270302T170000Z' })
    await runSendQueue()
    expect(await loadAttendee(uid, bob)).toMatchObject({ partstat: 'NEEDS-ACTION' })
    expect(await answerByToken(token, 'DECLINED')).toMatchObject({ outcome: 'recorded', answer: 'DECLINED' })
    const event = await loadEvent(uid)
    expect(await loadAttendee(uid, bob)).toMatchObject({ partstat: 'DECLINED', replySequence: event!.inviteSequence })
  })

  it('does not know a tampered link, nor one for another event', { tags: ['security'] }, async () => {
    const { uid } = await publishedEvent()
    const cleo = address('cleo')
    const since = Date.now()
    await inviteToEvent({ eventUid: uid, email: cleo, origin: 'api', invitedBy: ORGANIZER })
    await runSendQueue()
    const token = tokenIn((await mailTo(since, cleo))[0]!.parsed.text!, 'rsvp')!
    const [payload, signature] = token.split('.') as [string, string]
    const forged = `${Buffer.from(Buffer.from(payload, 'base64url').toString().replace(cleo, address('bob'))).toString('base64url')}.${signature}`
    expect(await webAnswerLinkOf(forged)).toBeNull()
    expect(await answerByToken(forged, 'ACCEPTED')).toBeNull()
    expect(await answerByToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'ACCEPTED')).toBeNull()
    expect(await loadAttendee(uid, address('bob'))).toBeNull()
  })
})
