import { describe, it, expect } from 'vitest'
import { keepSchedulingProperties, readCalendar, splitCalendars } from '../../../../../server/domain/ical/read-calendar'
import { readMail } from '../../../../../server/domain/mail/read-mail'
import { ianaTimezone } from '../../../../../server/domain/ical/timezones'
import windowsZones from '../../../../../server/domain/ical/windows-zones.json' with { type: 'json' }
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

const calendar = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', ...lines, 'END:VCALENDAR'].join('\r\n')
const event = (...lines: string[]) => ['BEGIN:VEVENT', 'UID:u1@test', 'DTSTAMP:20261101T100000Z', 'DTSTART:20270101T100000Z', 'ORGANIZER:mailto:o@example.com', ...lines, 'END:VEVENT']

describe('keepSchedulingProperties', () => {
  it('keeps folded lines whole and drops alarms and unused properties', () => {
    const text = calendar('METHOD:REQUEST', ...event('SUMMARY:Long\r\n  title', 'X-ALT-DESC;FMTTYPE=text/html:<p>x</p>', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'END:VALARM'))
    const kept = keepSchedulingProperties(text).text
    expect(kept).toContain('SUMMARY:Long\r\n  title')
    expect(kept).not.toMatch(/X-ALT-DESC|VALARM|Reminder/)
    expect(readCalendar(text).master?.summary).toBe('Long title')
  })
})

describe('readCalendar on hand-made messages (ITIP 3, 5, 6, 18)', () => {
  it('takes METHOD from the body over the Content-Type parameter', () => {
    expect(readCalendar(calendar('METHOD:CANCEL', ...event()), 'REQUEST').method).toBe('CANCEL')
    expect(readCalendar(calendar(...event()), 'request').method).toBe('REQUEST')
  })

  it.each([
    ['no METHOD anywhere', calendar(...event()), /no METHOD/],
    ['PUBLISH', calendar('METHOD:PUBLISH', ...event()), /published/],
    ['two UIDs', calendar('METHOD:REQUEST', ...event(), ...event().map((l) => l.replace('u1@test', 'u2@test'))), /more than one event|different events/],
    ['no UID', calendar('METHOD:REQUEST', ...event().filter((l) => !l.startsWith('UID'))), /no UID/],
    ['an unfinished calendar', 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nthis is not a calendar', /incomplete/],
  ])('reports %s in a sentence, never a crash', (_, text, reason) => {
    expect(() => readCalendar(text)).toThrow(reason)
  })

  it('unfolds lines inside parameters and multi-byte characters', () => {
    const text = calendar('METHOD:REQUEST', ...event('ATTENDEE;CN="Jür\r\n gen";PART\r\n STAT=ACCEPTED:mailto:J@Example.com', 'SUMMARY:Caf\r\n \u00e9 \u2615'))
    const master = readCalendar(text).master!
    expect(master.attendees).toEqual([{ email: 'j@example.com', name: 'Jürgen', partstat: 'ACCEPTED', role: null, rsvp: false }])
    expect(master.summary).toBe('Café ☕')
  })

  it('resolves Windows time zone names and reports unknown ones the same way every time', () => {
    const windows = readCalendar(calendar('METHOD:REQUEST', ...event().map((l) => (l.startsWith('DTSTART') ? 'DTSTART;TZID="W. Europe Standard Time":20270101T100000' : l))))
    expect(windows.master).toMatchObject({ timezone: 'Europe/Berlin', start: '2027-01-01T09:00:00Z' })
    const unknown = () => readCalendar(calendar('METHOD:REQUEST', ...event().map((l) => (l.startsWith('DTSTART') ? 'DTSTART;TZID=Mars/Olympus:20270101T100000' : l))))
    const first = unknown()
    expect(first.master).toMatchObject({ timezone: null, start: '2027-01-01T10:00:00Z' })
    expect(first.warnings).toEqual([
      'The time zone "Mars/Olympus" is neither defined in the message (no VTIMEZONE) nor a known zone name, so its times were read as UTC and may be off by hours.',
    ])
    expect(unknown()).toEqual(first)
  })

  it('keeps all-day dates as dates', () => {
    const master = readCalendar(calendar('METHOD:REQUEST', ...event().map((l) => (l.startsWith('DTSTART') ? 'DTSTART;VALUE=DATE:20270101' : l)))).master!
    expect(master).toMatchObject({ allDay: true, start: '2027-01-01' })
  })

  it('splits a stream of calendars', () => {
    expect(splitCalendars(calendar('METHOD:REQUEST', ...event()) + '\r\n' + calendar('METHOD:CANCEL', ...event()))).toHaveLength(2)
  })

  it("maps Windows names with the table node-ical parses with (the copy is node-ical's own)", () => {
    const nodeIcalDir = path.dirname(createRequire(import.meta.url).resolve('node-ical/package.json'))
    expect(windowsZones).toEqual(JSON.parse(readFileSync(path.join(nodeIcalDir, 'windowsZones.json'), 'utf8')))
  })

  it.each([['Pacific Standard Time', 'America/Los_Angeles'], ['Europe/Tallinn', 'Europe/Tallinn'], ['(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna', 'Europe/Berlin'],
    // Lotus Notes: the Windows name without " Standard Time".
    ['FLE', 'Europe/Kiev'], ['Eastern', 'America/New_York'], ['Central', 'America/Chicago'], ['Central European', 'Europe/Warsaw'],
    // Exchange CDO and Outlook 2003 display names, spelled unlike CLDR's.
    ['(GMT+01.00) Sarajevo/Warsaw/Zagreb', 'Europe/Warsaw'], ['(GMT-05.00) Eastern Time (US & Canada)', 'America/New_York'],
    ['Pacific Time (US & Canada)\\, Tijuana', 'America/Los_Angeles'],
    // Names that fit several zones, or none, stay unnamed.
    ['Standard Time', null], ['Atlantis Standard Time', null], ['GMT +0100 (Standard) / GMT +0200 (Daylight)', null]])('maps %s to %s', (tzid, iana) => {
    expect(ianaTimezone(tzid)).toBe(iana)
  })
})

describe('readMail (ITIP 1, 2, 4)', () => {
  const mime = (headers: string[], body: string) => [...headers, '', body].join('\r\n')
  const ics = calendar('METHOD:REQUEST', ...event('SUMMARY:Hi'))

  it('finds a base64 .ics sent as application/octet-stream with a mixed-case type', async () => {
    const raw = mime(
      ['From: o@example.com', 'Subject: x', 'MIME-Version: 1.0', 'Content-Type: MULTIPART/Mixed; boundary="b"'],
      ['--b', 'Content-Type: text/plain', '', 'hello', '--b', 'Content-Type: Application/Octet-Stream; name="invite.ics"', 'Content-Transfer-Encoding: base64', '', ' ' + Buffer.from(ics).toString('base64').replace(/(.{60})/g, '$1\r\n '), '--b--'].join('\r\n'),
    )
    const mail = await readMail(raw)
    expect(mail.calendars).toHaveLength(1)
    expect(readCalendar(mail.calendars[0]!.text).master?.summary).toBe('Hi')
  })

  it('reads a quoted-printable calendar with =0D=0A and a soft break inside a parameter', async () => {
    // CRLF encoded as =0D=0A, and a soft line break (=CRLF) in the middle of the CN parameter.
    const qp = ics.replace('ORGANIZER:', 'ORGANIZER;CN=Ol=\r\nga Org:').replace(/\r\n(?!ga)/g, '=0D=0A=\r\n')
    const raw = mime(['From: o@example.com', 'MIME-Version: 1.0', 'Content-Type: TeXt/CaLeNdAr; method=REQUEST; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'], qp)
    const mail = await readMail(raw)
    expect(readCalendar(mail.calendars[0]!.text, mail.calendars[0]!.contentTypeMethod).master?.organizer).toEqual({ email: 'o@example.com', name: 'Olga Org' })
  })

  it('keeps one copy of an inline calendar and its identical invite.ics attachment', async () => {
    const b64 = Buffer.from(ics).toString('base64')
    const raw = mime(
      ['From: o@example.com', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="m"'],
      ['--m', 'Content-Type: text/calendar; method=REQUEST', 'Content-Transfer-Encoding: base64', '', b64, '--m', 'Content-Type: application/ics; name=invite.ics', 'Content-Disposition: attachment; filename=invite.ics', 'Content-Transfer-Encoding: base64', '', b64, '--m--'].join('\r\n'),
    )
    expect((await readMail(raw)).calendars).toHaveLength(1)
  })

  it.each([
    ['Auto-Submitted: auto-replied', 'auto-reply'],
    ['Precedence: auto_reply', 'auto-reply'],
    ['Precedence: junk', 'auto-reply'],
    ['X-Autoreply: yes', 'auto-reply'],
    ['Auto-Submitted: no', 'message'],
    // Calendar systems mark the iMIP they generate so (RFC 3834): an invitation all the same.
    ['Auto-Submitted: auto-generated', 'message'],
    ['Auto-Submitted: auto-generated; owner-email="calendar@example.com"', 'message'],
  ])('classifies %s with a calendar as %s', async (header, kind) => {
    const raw = mime(['From: o@example.com', header, 'Content-Type: text/calendar; method=REQUEST'], ics)
    expect((await readMail(raw)).kind).toBe(kind)
  })

  it('leaves the process alone while it parses: code running between its steps sees the real Blob', async () => {
    // Other work shares the process (the AWS SDK, the web server): nothing global may change.
    const native = globalThis.Blob
    const seen = new Set<unknown>()
    let parsing = true
    const parsed = readMail(mime(['From: o@example.com', 'Content-Type: text/calendar; method=REQUEST'], ics)).finally(() => (parsing = false))
    while (parsing) {
      seen.add(globalThis.Blob)
      await Promise.resolve()
    }
    expect((await parsed).calendars).toHaveLength(1)
    expect([...seen]).toEqual([native])
  })

  it('leaves generated mail without a calendar unanswered, as an auto-reply', async () => {
    const raw = mime(['From: o@example.com', 'Auto-Submitted: auto-generated', 'Content-Type: text/plain'], 'Your export is ready.')
    expect((await readMail(raw)).kind).toBe('auto-reply')
  })
})
