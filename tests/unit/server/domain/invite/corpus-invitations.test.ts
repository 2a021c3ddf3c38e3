import { describe, it, expect } from 'vitest'
import ical from 'node-ical'
import PostalMime from 'postal-mime'
import { readMail } from '../../../../../server/domain/mail/read-mail'
import { readCalendar, readFirstCalendar, splitCalendars } from '../../../../../server/domain/ical/read-calendar'
import { decideOrganizerMessage, type Policy } from '../../../../../server/domain/itip/rules'
import { NotSchedulingMessage, type SchedulingMessage } from '../../../../../server/domain/scheduling'
import type { EventState } from '../../../../../server/domain/itip/event-state'
import { invitationZone, normalizeRrule } from '../../../../../server/domain/invite/build-invitation'
import { composeInvitationMessage } from '../../../../../server/domain/invite/compose-message'
import { shippedMailTemplates } from '../../../../../server/templates/mail'
import { readFileSync } from 'node:fs'
import { corpusFile, corpusFiles, fixturePath, hasCorpus } from '../../../../corpus'
import { expectProperInvitation } from '../../../../support/invitation-mime'

// Real organizers' invitations, turned into events as the pipeline does, and sent on:
// the invitation we write must describe the same event (ITIP 19–22 on real data).

const RSVP = 'rsvp@events.localhost'
const policy: Policy = { requireVerifiedSender: true, allowedOrganizerDomains: [], serverAddresses: ['create@events.localhost', RSVP] }

/** Every scheduling message of a corpus file, read as the pipeline reads it. */
async function messagesOf(name: string): Promise<SchedulingMessage[]> {
  const bytes = corpusFile(name)
  const read = (f: () => SchedulingMessage) => {
    try {
      return [f()]
    } catch (error) {
      if (error instanceof NotSchedulingMessage) return []
      throw error
    }
  }
  if (name.startsWith('ics/')) return splitCalendars(bytes.toString('utf8')).flatMap((text) => read(() => readCalendar(text)))
  const mail = await readMail(bytes)
  return mail.kind === 'message' && mail.calendars.length ? read(() => readFirstCalendar(mail.calendars)) : []
}

/** A published calendar (or one without METHOD or ORGANIZER) as the organizer's REQUEST. */
function asRequest(text: string): string {
  const withMethod = /^METHOD:/m.test(text) ? text.replace(/^METHOD:.*$/m, 'METHOD:REQUEST') : text.replace(/^BEGIN:VCALENDAR\r?$/m, (line) => `${line}\nMETHOD:REQUEST`)
  return withMethod.replace(/BEGIN:VEVENT[\s\S]*?END:VEVENT/g, (vevent) => (/^ORGANIZER[;:]/m.test(vevent) ? vevent : vevent.replace(/^END:VEVENT/m, 'ORGANIZER;CN=Organizer:mailto:organizer@example.com\r\nEND:VEVENT')))
}

/** Applies the messages in order, as the service would, and returns the event they leave. */
async function eventFrom(names: string[]): Promise<EventState | null> {
  let event: EventState | null = null
  for (const name of names) {
    for (const message of await messagesOf(name)) {
      const organizer = (message.master ?? message.overrides[0]!).organizer
      if (!organizer) continue
      const decision = decideOrganizerMessage(message, event, { email: organizer.email, verified: true }, policy)
      if ('event' in decision) event = decision.event
    }
  }
  return event
}

/** Composes the invitation to bob, checks it, and reads its calendar back. */
async function sendAndReadBack(event: EventState, method: 'REQUEST' | 'CANCEL' = 'REQUEST') {
  const raw = await composeInvitationMessage({
    event, recipient: { email: 'bob@example.org', name: 'Bob' }, method, sequence: event.sequence, organizerMailbox: RSVP,
    unsubscribeUrl: 'https://events.example.com/unsubscribe/t', templates: shippedMailTemplates, now: new Date('2026-11-23T12:00:00Z'),
  })
  const parts = expectProperInvitation(raw, { method, recipient: 'bob@example.org', uid: event.uid, sequence: event.sequence, unsubscribe: true })
  const parsed = await PostalMime.parse(raw)
  expect(parsed.to).toEqual([{ name: 'Bob', address: 'bob@example.org' }])
  const read = readCalendar(parts.calendar)
  // node-ical reads it too, with one VEVENT per master and override.
  const vevents = Object.values(ical.sync.parseICS(parts.calendar)).filter((c) => c?.type === 'VEVENT')
  expect(vevents.length).toBeGreaterThan(0)
  return read
}

/** What the invitation must say about the event, in the reader's terms. */
function expectSameEvent(read: SchedulingMessage, event: EventState) {
  const zone = invitationZone(event)
  const cancelled = Object.values(event.instances).filter((i) => i.status === 'CANCELLED').map((i) => i.recurrenceId)
  expect(read.master).toMatchObject({
    uid: event.uid,
    sequence: event.sequence,
    summary: event.summary,
    // An empty value is written as no property at all.
    description: event.description || null,
    location: event.location || null,
    start: event.start,
    allDay: event.allDay,
    rrule: event.rrule ? normalizeRrule(event.rrule, event.allDay, zone) : null,
    exdates: [...new Set([...event.exdates, ...cancelled])].sort(),
    rdates: event.rdates,
    organizer: { email: RSVP, name: event.organizer.name ?? event.organizer.email },
  })
  // Without DTEND node-ical reads the end as the start (a moment), which is what no DTEND means.
  expect(read.master!.end).toBe(event.end ?? (read.master!.end === null ? null : event.start))
  if (zone) expect(read.master!.timezone).toBe(zone)
  const overrides = Object.values(event.instances).filter((i) => i.status !== 'CANCELLED').sort((a, b) => a.recurrenceId.localeCompare(b.recurrenceId))
  expect(read.overrides.map((o) => [o.recurrenceId, o.start, o.summary])).toEqual(
    overrides.map((i) => [i.recurrenceId, i.start ?? i.recurrenceId, i.summary ?? event.summary]),
  )
}

describe.skipIf(!hasCorpus)('invitations for events from the real-world corpus', () => {
  const files = [...corpusFiles('eml').map((f) => `eml/${f}`), ...corpusFiles('ics').map((f) => `ics/${f}`)]

  it('regenerates every event the corpus creates, and each reads back the same', async () => {
    const created: string[] = []
    for (const name of files) {
      const event = await eventFrom([name])
      if (!event) continue
      created.push(name)
      expectSameEvent(await sendAndReadBack(event), event)
    }
    // Google, Outlook/Exchange, Apple, Yahoo, Lotus, Zimbra… a broad set, not a lucky few.
    expect(created.length).toBeGreaterThanOrEqual(20)
  }, 60_000)

  it.each([
    ['a Google series after its exceptions', ['eml/google__tb__repeat-event.eml', 'eml/google__tb__exception-minor.eml', 'eml/google__tb__exception-major.eml']],
    ['a daily series with a changed and a cancelled occurrence', ['ics/generic__akonadi__01-daily-request.ics', 'ics/generic__akonadi__02-update-instance.ics', 'ics/zimbra__akonadi__03-cancel-instance.ics']],
    ['the single event after a major update', ['eml/generic__tb__single-event.eml', 'eml/generic__tb__update-minor.eml', 'eml/generic__tb__update-major.eml']],
  ])('sends %s as the server stores it', async (_, chain) => {
    const event = (await eventFrom(chain))!
    expect(event).not.toBeNull()
    expectSameEvent(await sendAndReadBack(event), event)
  })

  it('sends the RDATEs the organizer wrote, a PERIOD with its own end (Lotus Notes)', async () => {
    const message = readCalendar(readFileSync(fixturePath('ical/lotus-notes-eastern-short-tzid.ics'), 'utf8'))
    const decision = decideOrganizerMessage(message, null, { email: message.master!.organizer!.email, verified: true }, policy)
    if (!('event' in decision)) throw new Error(decision.reason)
    expect(decision.event.rdates).toEqual(['2026-04-15T14:00:00Z/2026-04-15T15:00:00Z'])
    expectSameEvent(await sendAndReadBack(decision.event), decision.event)
  })

  it('has a changed and a cancelled occurrence in the akonadi chain, sent as override and EXDATE', async () => {
    const event = (await eventFrom(['ics/generic__akonadi__01-daily-request.ics', 'ics/generic__akonadi__02-update-instance.ics', 'ics/zimbra__akonadi__03-cancel-instance.ics']))!
    const statuses = Object.values(event.instances).map((i) => i.status)
    expect(statuses).toContain('CANCELLED')
    const read = await sendAndReadBack(event)
    expect(read.master!.exdates.length).toBeGreaterThan(0)
  })

  // Series with a time zone, RDATE/EXDATE and moved or cancelled occurrences exist in the
  // corpus only as published calendars or without ORGANIZER: given METHOD:REQUEST and an
  // organizer, they become events like any other, and exercise the TZID + VTIMEZONE path.
  it.each([
    ['ics/zimbra__icaljs__recur-instances.ics', 'America/Los_Angeles'],
    ['ics/exchange__rie__exdate-crlf.ics', 'Europe/Berlin'],
    ['ics/o365__ical-rs__meeting.ics', 'Europe/Berlin'],
    ['ics/lightning__rie__cancelled-instance.ics', 'Europe/Berlin'],
    ['ics/exchange__node-ical__allday-moved-recurrence.ics', null],
  ])('sends the series of %s in its zone (%s)', async (name, zone) => {
    const message = readCalendar(asRequest(corpusFile(name).toString('utf8')))
    const decision = decideOrganizerMessage(message, null, { email: (message.master ?? message.overrides[0]!).organizer!.email, verified: true }, policy)
    if (!('event' in decision)) throw new Error(decision.reason)
    const event = decision.event
    expect(event.rrule).toBeTruthy()
    expect(invitationZone(event)).toBe(zone)
    expectSameEvent(await sendAndReadBack(event), event)
  })

  it('sends the cancellation of a cancelled series', async () => {
    const event = (await eventFrom(['ics/generic__akonadi__01-daily-request.ics', 'ics/generic__akonadi__04-cancel-series.ics']))!
    expect(event.status).toBe('CANCELLED')
    const read = await sendAndReadBack(event, 'CANCEL')
    expect(read.method).toBe('CANCEL')
    expect(read.master).toMatchObject({ uid: event.uid, status: 'CANCELLED', rrule: event.rrule })
  })
})
