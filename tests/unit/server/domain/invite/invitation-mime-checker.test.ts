import { describe, it, expect } from 'vitest'
import { composeInvitationMessage } from '../../../../../server/domain/invite/compose-message'
import { shippedMailTemplates } from '../../../../../server/templates/mail'
import type { EventState } from '../../../../../server/domain/itip/event-state'
import { expectProperInvitation, type ExpectedInvitation } from '../../../../support/invitation-mime'

// The checker must fail on mail that breaks a rule, or it proves nothing: each case below
// damages a good invitation in one way.

const event: EventState = {
  uid: 'check@example.com', organizer: { email: 'olga@example.com', name: 'Olga' }, summary: 'Check, please', description: 'Some; text', location: null,
  url: null, start: '2027-05-01T16:00:00Z', end: '2027-05-01T18:00:00Z', allDay: false, timezone: null, tzid: null, startLocal: null, vtimezone: null, transp: null, rrule: null, exdates: [], rdates: [],
  status: 'CONFIRMED', sequence: 1, dtstamp: '', prodid: null, instances: {},
}
const expected: ExpectedInvitation = { method: 'REQUEST', recipient: 'bob@example.org', uid: event.uid, sequence: 1, unsubscribe: true }

const good = async () =>
  (
    await composeInvitationMessage({
      event, recipient: { email: 'bob@example.org', name: 'Bob' }, method: 'REQUEST', sequence: 1,
      organizerMailbox: 'rsvp@events.example.com', unsubscribeUrl: 'https://events.example.com/unsubscribe/t', templates: shippedMailTemplates,
      now: new Date('2026-11-23T12:00:00Z'),
    })
  ).toString('latin1')

/** Replaces the calendar (both copies) with `change(calendar)`, base64 again. */
const withCalendar = (raw: string, change: (calendar: string) => string) =>
  raw.replace(/(Content-Transfer-Encoding: base64\r\n(?:Content-Disposition: [^\r]*\r\n)?\r\n)([A-Za-z0-9+/=\r\n]+?)(\r\n--)/g, (_, head: string, body: string, tail: string) => {
    const calendar = change(Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8'))
    return head + Buffer.from(calendar, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '') + tail
  })

describe('expectProperInvitation', () => {
  it('passes a good invitation', async () => {
    const parts = expectProperInvitation(await good(), expected)
    expect(parts.calendarLines).toContain('SUMMARY:Check\\, please')
    expect(parts.unsubscribeUrl).toBe('https://events.example.com/unsubscribe/t')
  })

  it.each<[string, (raw: string) => string, RegExp]>([
    ['no Content-Class', (raw) => raw.replace(/^Content-Class: .*\r\n/m, ''), /Content-Class/],
    ['an injected Bcc', (raw) => raw.replace(/^To: /m, 'Bcc: eve@example.org\r\nTo: '), /no Bcc/],
    ['a second recipient', (raw) => raw.replace(/^To: (.*)$/m, 'To: $1, eve@example.org'), /exactly one address/],
    ['raw UTF-8 in a header', (raw) => raw.replace(/^Subject: .*$/m, Buffer.from('Subject: Invitation: Ünïcode', 'utf8').toString('latin1')), /7-bit/],
    ['bare LF line ends', (raw) => raw.replace('\r\n\r\n', '\n\r\n'), /CRLF/],
    ['no List-Unsubscribe-Post', (raw) => raw.replace(/^List-Unsubscribe-Post: .*\r\n/m, ''), /List-Unsubscribe-Post/],
    ['a quoted-printable calendar', (raw) => raw.replace(/(method=REQUEST\r\nContent-Transfer-Encoding: )base64/, '$1quoted-printable'), /never quoted-printable|base64/],
    ['different METHODs', (raw) => raw.replace('method=REQUEST', 'method=CANCEL'), /method=/],
    ['a second ATTENDEE', (raw) => withCalendar(raw, (c) => c.replace(/(ATTENDEE[^]*?\r\n)(?=STATUS)/, '$1ATTENDEE:mailto:eve@example.org\r\n')), /exactly one ATTENDEE/],
    ['no RSVP', (raw) => withCalendar(raw, (c) => c.replace('RSVP=TRUE;', '')), /asked to answer/],
    ['an unescaped comma', (raw) => withCalendar(raw, (c) => c.replace('SUMMARY:Check\\, please', 'SUMMARY:Check, please')), /escapes/],
    ['a line over 75 octets', (raw) => withCalendar(raw, (c) => c.replace('DESCRIPTION:Some\\; text', `DESCRIPTION:${'x'.repeat(80)}`)), /75 octets/],
    ['a TZID without VTIMEZONE', (raw) => withCalendar(raw, (c) => c.replace(/DTSTART:(\d{8}T\d{6})Z/, 'DTSTART;TZID=Europe/Berlin:$1')), /VTIMEZONE for TZID/],
    ['a floating time', (raw) => withCalendar(raw, (c) => c.replace(/DTEND:(\d{8}T\d{6})Z/, 'DTEND:$1')), /UTC or with a TZID/],
    ['another SEQUENCE', (raw) => withCalendar(raw, (c) => c.replace('SEQUENCE:1', 'SEQUENCE:0')), /SEQUENCE/],
  ])('fails with %s', async (_, damage, reason) => {
    const raw = damage(await good())
    expect(() => expectProperInvitation(raw, expected)).toThrow(reason)
  })

  it('fails a fold that splits a UTF-8 character', async () => {
    // "ü" is C3 BC: break the physical line between its two octets.
    const raw = withCalendar(await good(), (c) => c.replace('DESCRIPTION:Some\\; text', 'DESCRIPTION:Some ü text'))
    const broken = raw.replace(/(Content-Transfer-Encoding: base64\r\n(?:Content-Disposition: [^\r]*\r\n)?\r\n)([A-Za-z0-9+/=\r\n]+?)(\r\n--)/g, (_, head: string, body: string, tail: string) => {
      const calendar = Buffer.from(body.replace(/\r\n/g, ''), 'base64')
      const at = calendar.indexOf(Buffer.from('ü')) + 1
      const split = Buffer.concat([calendar.subarray(0, at), Buffer.from('\r\n '), calendar.subarray(at)])
      return head + split.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '') + tail
    })
    expect(() => expectProperInvitation(broken, expected)).toThrow(/split a UTF-8 character/)
  })
})
