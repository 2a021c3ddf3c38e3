/**
 * The classes of fault the reading issue found, each on a fixture shaped like the client
 * that writes it (tests/fixtures/ical, README there). Occurrences are checked against
 * tests/fixtures/ical/expected.json, computed independently from the series definitions
 * (zoneinfo and each file's own VTIMEZONE rules).
 */
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { readMail } from '../../../../../server/domain/mail/read-mail'
import { readCalendar, readFirstCalendar } from '../../../../../server/domain/ical/read-calendar'
import { occurrencesOf } from '../../../../../server/domain/ical/occurrences'
import { decideOrganizerMessage, decideReply, mergeAttendees, type Policy, type Sender } from '../../../../../server/domain/itip/rules'
import { describeMessage } from '../../../../../server/domain/inspect'
import { NotSchedulingMessage, type SchedulingMessage } from '../../../../../server/domain/scheduling'
import { fixturePath } from '../../../../corpus'

const text = (name: string) => readFileSync(fixturePath(`ical/${name}`), 'utf8')
const read = (name: string) => readCalendar(text(name))
const expected = JSON.parse(text('expected.json')) as Record<string, { uid: string; occurrences: { start: string; end: string }[] | null }>
const policy: Policy = { requireVerifiedSender: true, allowedOrganizerDomains: [], serverAddresses: ['create@events.localhost'] }
const organizerOf = (m: SchedulingMessage): Sender => ({ email: (m.master ?? m.overrides[0]!).organizer!.email, verified: true })

function stored(name: string) {
  const message = read(name)
  const decision = decideOrganizerMessage(message, null, organizerOf(message), policy)
  if (!('event' in decision)) throw new Error(`${name}: ${decision.reason}`)
  return decision
}

/** The occurrences the server keeps for a fixture, over two years, cancelled ones left out. */
function occurrences(name: string) {
  const { event } = stored(name)
  const from = event.start.slice(0, 10)
  return occurrencesOf(event, from, `${Number(from.slice(0, 4)) + 2}${from.slice(4)}`)
    .filter((o) => o.status !== 'CANCELLED')
    .map(({ start, end }) => ({ start, end }))
}

function refusal(read: () => unknown): NotSchedulingMessage {
  try {
    read()
  } catch (error) {
    if (error instanceof NotSchedulingMessage) return error
    throw error
  }
  throw new Error('expected the calendar to be refused')
}

describe('every fixture series has the occurrences computed independently (expected.json)', () => {
  const series = Object.entries(expected).filter(([, want]) => want.occurrences)
  it.each(series)('%s', (name, want) => {
    expect(stored(name).event.uid).toBe(want.uid)
    expect(occurrences(name)).toEqual(want.occurrences)
  })
})

describe('found 1: zones only the message defines (VTIMEZONE), never silently UTC', () => {
  it("places Lotus Notes' TZID:Eastern by its VTIMEZONE, before and after the DST change", () => {
    const master = read('lotus-notes-eastern-short-tzid.ics').master!
    expect(master).toMatchObject({ start: '2026-02-24T14:00:00Z', tzid: 'Eastern', startLocal: '2026-02-24T09:00:00', timezone: 'America/New_York' })
    expect(master.vtimezone).toMatch(/^BEGIN:VTIMEZONE\r\nTZID:Eastern\r\n/)
  })

  it("places Lotus Notes' Central European and CDO's (GMT+01.00) Sarajevo/Warsaw/Zagreb and (GMT-05.00) Eastern Time", () => {
    expect(read('lotus-notes-central-european.ics').master).toMatchObject({ start: '2026-07-14T08:00:00Z', tzid: 'Central European' })
    expect(read('cdo-sarajevo-1601.ics').master).toMatchObject({ start: '2026-03-16T13:00:00Z', tzid: '(GMT+01.00) Sarajevo/Warsaw/Zagreb', timezone: 'Europe/Warsaw' })
    expect(read('cdo-eastern-1601.ics').master).toMatchObject({ start: '2026-11-10T20:00:00Z', timezone: 'America/New_York' })
    for (const name of ['lotus-notes-central-european.ics', 'cdo-sarajevo-1601.ics', 'cdo-eastern-1601.ics']) expect(read(name).warnings).toEqual([])
  })

  it('warns about a TZID nothing defines, and reads it the same way every time', () => {
    const first = read('unknown-tzid-no-vtimezone.ics')
    expect(first.warnings).toEqual([expect.stringContaining('"Atlantis Standard Time" is neither defined in the message')])
    expect(first.master).toMatchObject({ timezone: null })
    expect(read('unknown-tzid-no-vtimezone.ics')).toEqual(first)
  })

  it('cis inspect prints the instants the VTIMEZONE gives, and the occurrences', () => {
    const printed = describeMessage(read('lotus-notes-eastern-short-tzid.ics'))
    expect(printed).toMatchObject({ start: '2026-02-24T14:00:00Z', timezone: 'America/New_York', tzid: 'Eastern', warnings: [] })
    expect(printed.occurrences?.map((o) => o.start)).toEqual(expected['lotus-notes-eastern-short-tzid.ics']!.occurrences!.map((o) => o.start))
    expect(describeMessage(read('unknown-tzid-no-vtimezone.ics')).warnings).toHaveLength(1)
  })
})

describe('found 2: RDATE kept, in every value type', () => {
  it('keeps a list of DATE-TIME RDATEs, and an override of an RDATE instance points at it (Zimbra)', () => {
    const message = read('zimbra-rdate-override.ics')
    expect(message.master!.rdates).toEqual(['2026-10-29T17:00:00Z', '2026-11-05T18:00:00Z'])
    expect(message.overrides.map((o) => o.recurrenceId)).toEqual(['2026-11-05T18:00:00Z'])
  })

  it('keeps a PERIOD RDATE with its own end (Lotus Notes reschedule)', () => {
    expect(read('lotus-notes-eastern-short-tzid.ics').master!.rdates).toEqual(['2026-04-15T14:00:00Z/2026-04-15T15:00:00Z'])
  })
})

describe('found 3: an override with a higher SEQUENCE than its master (Google)', () => {
  it('keeps the master and the override, and creates the series', () => {
    const message = read('google-override-higher-sequence.ics')
    expect(message.master).toMatchObject({ sequence: 0, rrule: 'FREQ=WEEKLY;COUNT=5' })
    expect(message.overrides).toEqual([expect.objectContaining({ sequence: 1, recurrenceId: '2026-11-03T15:00:00Z', start: '2026-11-03T17:00:00Z' })])
    expect(stored('google-override-higher-sequence.ics').outcome).toBe('created')
  })
})

describe('found 4: DATE-TIME values on an all-day series mean their local date (Exchange)', () => {
  it('reads RECURRENCE-ID, EXDATE and UNTIL as dates', () => {
    const message = read('exchange-allday-datetime-recurrence-id.ics')
    expect(message.master).toMatchObject({ allDay: true, start: '2026-02-23', exdates: ['2026-03-02'], rrule: expect.stringContaining('UNTIL=20260330;') })
    expect(message.overrides.map((o) => [o.recurrenceId, o.start])).toEqual([['2026-03-09', '2026-03-10']])
  })
})

describe('the organizer\'s wall-clock and TRANSP are kept (deliver 2)', () => {
  it('keeps a series that starts in a DST gap at its wall-clock time for later occurrences (Apple)', () => {
    const master = read('apple-dst-gap-series.ics').master!
    expect(master).toMatchObject({ start: '2026-03-08T07:30:00Z', startLocal: '2026-03-08T02:30:00', tzid: 'America/New_York', transp: 'TRANSPARENT' })
  })

  it('keeps TRANSP:TRANSPARENT on an all-day free event', () => {
    expect(stored('apple-allday-free.ics').event).toMatchObject({ allDay: true, transp: 'TRANSPARENT' })
  })
})

describe('found 8: replies from every client', () => {
  function replyTo(requestName: string, replyName: string) {
    const { event, invitees } = stored(requestName)
    const attendees = mergeAttendees([], invitees, null, event.organizer.email)
    const reply = read(replyName)
    const from = reply.master!.attendees[0]!.email
    return decideReply(reply, event, attendees.find((a) => a.email === from) ?? null, { email: from, verified: true }, policy, { receivedAt: '2026-09-04T00:00:00Z' })
  }

  it('matches an Outlook REPLY without ORGANIZER by its UID', () => {
    expect(read('outlook-reply-no-organizer.ics').master!.organizer).toBeNull()
    expect(replyTo('outlook-request-for-reply.ics', 'outlook-reply-no-organizer.ics')).toMatchObject({ outcome: 'reply', attendee: { email: 'carol@attendee.example', partstat: 'ACCEPTED' } })
  })

  it('reads ATTENDEE and ORGANIZER written as principal URLs by their EMAIL= parameter (CalDAV)', () => {
    const reply = read('caldav-reply-email-param.ics').master!
    expect(reply.organizer).toEqual({ email: 'alice@caldav.example', name: 'Alice' })
    expect(reply.attendees).toEqual([expect.objectContaining({ email: 'bob@caldav.example', partstat: 'DECLINED' })])
    expect(replyTo('caldav-request-for-reply.ics', 'caldav-reply-email-param.ics')).toMatchObject({ outcome: 'reply', attendee: { email: 'bob@caldav.example', partstat: 'DECLINED' } })
  })
})

describe('found 9: reasons that are true', () => {
  it('says a calendar cut short is incomplete, and where', () => {
    const error = refusal(() => read('truncated-mid-event.ics'))
    expect(error.code).toBe('unparsable')
    expect(error.message).toBe('The calendar is incomplete: it ends inside a VEVENT (no END:VEVENT, no END:VCALENDAR), as if the message was cut short.')
  })

  // Before, ical.js read the first as 1 November and the second as 10 January 2027, silently.
  it.each(['2026111OT150000', '20261310T150000'])('names a DTSTART it cannot read (%s), and refuses the invitation for that reason', (bad) => {
    const garbled = text('cdo-eastern-1601.ics').replace(/^DTSTART;TZID=([^:\r\n]*):20261110T150000\r$/m, `DTSTART;TZID=$1:${bad}\r`)
    const message = readCalendar(garbled)
    expect(message.warnings).toEqual([`The DTSTART value "${bad}" could not be read and was ignored.`])
    expect(decideOrganizerMessage(message, null, organizerOf(message), policy)).toEqual({
      outcome: 'rejected',
      reason: `The invitation has no start time that can be read: The DTSTART value "${bad}" could not be read.`,
    })
  })

  it('warns about an event that ends before it starts, and keeps it as written', () => {
    const backwards = text('cdo-eastern-1601.ics').replace(/^(DTEND;TZID=[^:\r\n]*):20261110T160000\r$/m, '$1:20261110T140000\r')
    const message = readCalendar(backwards)
    expect(message.master).toMatchObject({ start: '2026-11-10T20:00:00Z', end: '2026-11-10T19:00:00Z' })
    expect(message.warnings).toEqual(['The event ends (2026-11-10T19:00:00Z) before it starts (2026-11-10T20:00:00Z); its end was kept as written.'])
  })

  it('says a calendar part with no calendar in it has no calendar', () => {
    const error = refusal(() => readFirstCalendar([{ text: 'Sorry, the invitation could not be attached.\n', contentTypeMethod: 'REQUEST' }]))
    expect(error).toMatchObject({ code: 'no-calendar', message: 'The calendar part holds no calendar (no BEGIN:VCALENDAR).' })
  })

  it("reports a Content-Type method= that disagrees with the body's METHOD, and follows the body", async () => {
    const mail = await readMail(readFileSync(fixturePath('ical/publish-body-request-header.eml')))
    expect(mail.calendars[0]!.contentTypeMethod).toBe('REQUEST')
    const error = refusal(() => readFirstCalendar(mail.calendars))
    expect(error.code).toBe('publish')
    expect(error.message).toBe(
      "The calendar is published (METHOD:PUBLISH), not sent as an invitation (the mail's Content-Type says method=REQUEST; the calendar's own METHOD decides).",
    )
  })
})
