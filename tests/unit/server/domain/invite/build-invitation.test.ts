import { describe, it, expect } from 'vitest'
import ical from 'node-ical'
import { buildInvitation, prepareInvitationCalendar, normalizeRrule } from '../../../../../server/domain/invite/build-invitation'
import { readCalendar } from '../../../../../server/domain/ical/read-calendar'
import type { EventState } from '../../../../../server/domain/itip/event-state'

const NOW = new Date('2026-11-23T12:00:00Z')
const RSVP = 'rsvp@events.example.com'

const event: EventState = {
  uid: 'evt-1@example.com', organizer: { email: 'olga@example.com', name: 'Olga Ørganizer' }, summary: 'Planning; budget, Q1 \\ review',
  description: 'Line one\nLine two', location: 'Room 1', url: null, start: '2027-03-15T09:00:00Z', end: '2027-03-15T10:00:00Z', allDay: false,
  timezone: 'Europe/Berlin', tzid: null, startLocal: null, vtimezone: null, transp: null, rrule: 'FREQ=WEEKLY;COUNT=4', exdates: [], rdates: [], status: 'CONFIRMED', sequence: 3, dtstamp: '2026-11-01T00:00:00Z', prodid: null, instances: {},
}

const single: EventState = { ...event, uid: 'single@example.com', rrule: null, sequence: 0 }

const invite = (e: EventState, options: Partial<Parameters<typeof buildInvitation>[1]> = {}) =>
  buildInvitation(e, { replyTo: RSVP, recipient: { email: 'bob@example.org', name: 'Bob' }, now: NOW, ...options })

/** Unfolded content lines. */
const linesOf = (text: string) => text.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean)
const eventBlocks = (text: string) => text.replace(/\r\n[ \t]/g, '').match(/BEGIN:VEVENT[\s\S]*?END:VEVENT/g) ?? []

/** Every physical line: at most 75 octets, valid UTF-8 on its own (no split character). */
function expectFoldedProperly(text: string) {
  const strict = new TextDecoder('utf-8', { fatal: true })
  // A split surrogate pair would be a lone surrogate, which UTF-8 cannot carry at all.
  expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/)
  const bytes = Buffer.from(text, 'utf8')
  expect(text.endsWith('\r\n')).toBe(true)
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
  // Cut the bytes at each CRLF and read every piece on its own.
  let start = 0
  for (let at = bytes.indexOf('\r\n'); at !== -1; start = at + 2, at = bytes.indexOf('\r\n', start)) {
    const line = bytes.subarray(start, at)
    expect(line.length, line.toString()).toBeLessThanOrEqual(75)
    expect(() => strict.decode(line), line.toString('hex')).not.toThrow()
  }
}

describe('buildInvitation (ITIP 20-22)', () => {
  const text = invite(event)

  it('reads back as the same event, asking exactly one attendee to answer', () => {
    const message = readCalendar(text)
    expect(message.method).toBe('REQUEST')
    expect(message.master).toMatchObject({
      uid: 'evt-1@example.com', sequence: 3, dtstamp: '2026-11-23T12:00:00Z', start: '2027-03-15T09:00:00Z', end: '2027-03-15T10:00:00Z',
      summary: 'Planning; budget, Q1 \\ review', description: 'Line one\nLine two', rrule: 'FREQ=WEEKLY;COUNT=4', timezone: 'Europe/Berlin',
      organizer: { email: RSVP, name: 'Olga Ørganizer' },
      attendees: [{ email: 'bob@example.org', name: 'Bob', partstat: 'NEEDS-ACTION', role: 'REQ-PARTICIPANT', rsvp: true }],
    })
    expect(message.warnings).toEqual([])
  })

  it('uses CRLF, escapes text values and folds lines at 75 octets', () => {
    expect(text).toContain('SUMMARY:Planning\\; budget\\, Q1 \\\\ review\r\n')
    expect(text).toContain('DESCRIPTION:Line one\\nLine two\r\n')
    expectFoldedProperly(text)
  })

  it('writes the ORGANIZER as the rsvp mailbox with the real name, the ATTENDEE asked to answer', () => {
    const lines = linesOf(text)
    expect(lines.filter((l) => l.startsWith('ORGANIZER'))).toEqual([`ORGANIZER;CN="Olga Ørganizer":mailto:${RSVP}`])
    expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toEqual(['ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Bob":MAILTO:bob@example.org'])
    expect(lines).toContain('DTSTAMP:20261123T120000Z')
    expect(lines).toContain('SEQUENCE:3')
  })

  it.each([null, '', ' \r\n\t '])('names the organizer by address when the calendar had no name (%j), and leaves out an empty CN', (name) => {
    const lines = linesOf(invite({ ...single, organizer: { email: 'olga@example.com', name } }, { recipient: { email: 'bob@example.org', name } }))
    expect(lines).toContain(`ORGANIZER;CN="olga@example.com":mailto:${RSVP}`)
    expect(lines).toContain('ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:MAILTO:bob@example.org')
  })

  it('keeps quotes and control characters out of CN parameters', () => {
    const out = invite(single, { recipient: { email: 'bob@example.org', name: 'Bob "the\r\nBuilder"; Jr:' } })
    expect(linesOf(out).find((l) => l.startsWith('ATTENDEE'))).toBe(`ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Bob 'the Builder'; Jr:":MAILTO:bob@example.org`)
    // (node-ical ends a quoted value at its ';', so the name is not read back here; the line is valid.)
    expect(readCalendar(out).master!.attendees).toMatchObject([{ email: 'bob@example.org' }])
  })

  it.each([
    ['Japanese', '日本語のテキストがここに入ります。とても長い要約で、折り返しが必要になります。会議室Ａで行います。'],
    ['emoji', '🎉🎊🥳 Launch party 🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀 with 👨‍👩‍👧‍👦 families and 🏳️‍🌈'],
    ['mixed', 'Réunion d’équipe — Ωμέγα Ελληνικά — Кириллица — עִברִית — 한국어 회의 — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 ' + 'é'.repeat(80)],
  ])('folds %s summaries, names and descriptions between characters, never inside one', (_, words) => {
    const e: EventState = { ...event, summary: words, description: `${words}\n${words}`, location: words, organizer: { email: 'olga@example.com', name: words } }
    const out = invite(e, { recipient: { email: 'bob@example.org', name: words } })
    expectFoldedProperly(out)
    // Lines that needed folding were folded as close to 75 octets as the characters allow.
    const physical = out.split('\r\n')
    expect(physical.some((l) => Buffer.byteLength(l) >= 72)).toBe(true)
    const master = readCalendar(out).master!
    expect(master.summary).toBe(words)
    expect(master.description).toBe(`${words}\n${words}`)
    expect(master.location).toBe(words)
    expect(master.organizer?.name).toBe(words)
    expect(master.attendees[0]!.name).toBe(words)
    const parsed = Object.values(ical.sync.parseICS(out)).find((c) => c?.type === 'VEVENT') as unknown as { summary: string }
    expect(parsed.summary).toBe(words)
  })

  it('writes a single event in UTC, without a VTIMEZONE', () => {
    const out = invite(single)
    expect(out).not.toMatch(/TZID|VTIMEZONE/)
    expect(linesOf(out)).toEqual(expect.arrayContaining(['DTSTART:20270315T090000Z', 'DTEND:20270315T100000Z']))
  })

  it('writes a CANCEL with STATUS:CANCELLED, the same UID and the given SEQUENCE, without asking for an answer', () => {
    const out = invite({ ...event, instances: { '2027-03-22T09:00:00Z': { recurrenceId: '2027-03-22T09:00:00Z', start: '2027-03-22T12:00:00Z', end: null, status: 'CONFIRMED', sequence: 3, dtstamp: null, summary: null, location: null } } }, { method: 'CANCEL', sequence: 5 })
    const message = readCalendar(out)
    expect(message.method).toBe('CANCEL')
    expect(message.overrides).toEqual([])
    expect(message.master).toMatchObject({ uid: event.uid, sequence: 5, status: 'CANCELLED', attendees: [{ email: 'bob@example.org', partstat: 'NEEDS-ACTION', rsvp: false }] })
    expect(eventBlocks(out)).toHaveLength(1)
  })

  it('renders the same calendar for every recipient but the ATTENDEE and DTSTAMP lines', () => {
    const calendar = prepareInvitationCalendar(event, { method: 'REQUEST', sequence: 4, organizerMailbox: RSVP })
    const a = linesOf(calendar.render({ email: 'a@example.org', name: null }, NOW))
    const b = linesOf(calendar.render({ email: 'b@example.org', name: 'B' }, new Date('2026-12-01T00:00:00Z')))
    const differ = a.map((line, i) => (line === b[i] ? null : [line, b[i]])).filter(Boolean)
    expect(differ).toEqual([
      ['DTSTAMP:20261123T120000Z', 'DTSTAMP:20261201T000000Z'],
      ['ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:MAILTO:a@example.org', 'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="B":MAILTO:b@example.org'],
    ])
  })

  it.each([
    ['a header break', 'bob@example.org\r\nATTENDEE:mailto:eve@example.org'],
    ['a parameter', 'bob@example.org;RSVP=FALSE'],
    ['no domain', 'bob'],
    ['spaces', 'bob smith@example.org'],
  ])('refuses a recipient address with %s', (_, email) => {
    expect(() => invite(single, { recipient: { email, name: null } })).toThrow(/not a mail address/)
  })
})

describe('a series as stored (rrule, exdates, rdates, overrides)', () => {
  const series: EventState = {
    ...event,
    uid: 'series@example.com',
    rrule: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20270531T080000Z',
    exdates: ['2027-03-22T09:00:00Z'],
    rdates: ['2027-04-01T08:00:00Z'],
    instances: {
      // Moved by two hours, after the change to summer time.
      '2027-04-05T08:00:00Z': { recurrenceId: '2027-04-05T08:00:00Z', start: '2027-04-05T10:00:00Z', end: '2027-04-05T11:00:00Z', status: 'CONFIRMED', sequence: 4, dtstamp: '2026-11-02T00:00:00Z', summary: 'Planning (moved)', location: 'Room 2' },
      '2027-04-12T08:00:00Z': { recurrenceId: '2027-04-12T08:00:00Z', start: '2027-04-12T08:00:00Z', end: '2027-04-12T09:00:00Z', status: 'CANCELLED', sequence: 4, dtstamp: '2026-11-02T00:00:00Z', summary: null, location: null },
    },
  }
  const out = invite(series, { sequence: 4 })

  it('writes times in the event zone with one VTIMEZONE, so the series keeps its local hour across DST', () => {
    const lines = linesOf(out)
    expect(lines.filter((l) => l === 'BEGIN:VTIMEZONE')).toHaveLength(1)
    expect(lines).toContain('TZID:Europe/Berlin')
    expect(lines).toEqual(expect.arrayContaining([
      'DTSTART;TZID=Europe/Berlin:20270315T100000',
      'DTEND;TZID=Europe/Berlin:20270315T110000',
      'RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270531T080000Z',
      'RDATE;TZID=Europe/Berlin:20270401T100000',
      'RECURRENCE-ID;TZID=Europe/Berlin:20270405T100000',
      'DTSTART;TZID=Europe/Berlin:20270405T120000',
    ]))
    // The cancelled occurrence is an EXDATE, not an override.
    expect(lines).toContain('EXDATE;TZID=Europe/Berlin:20270322T100000,20270412T100000')
    expect(eventBlocks(out)).toHaveLength(2)
    // Every occurrence node-ical expands is at 10:00 in Berlin, before and after 28 March.
    const vevent = Object.values(ical.sync.parseICS(out)).find((c) => c?.type === 'VEVENT' && !('recurrenceid' in c)) as unknown as { rrule: { between(a: Date, b: Date, inc: boolean): Date[] } }
    const occurrences = vevent.rrule.between(new Date('2027-03-01T00:00:00Z'), new Date('2027-06-01T00:00:00Z'), true)
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' })
    expect(new Set(occurrences.map((d) => berlin.format(d)))).toEqual(new Set(['10:00']))
    expect(occurrences.map((d) => d.toISOString())).toContain('2027-03-29T08:00:00.000Z')
  })

  it('reads back as the same series with the project reader', () => {
    const message = readCalendar(out)
    expect(message.master).toMatchObject({
      uid: 'series@example.com', sequence: 4, start: series.start, end: series.end, rrule: series.rrule, timezone: 'Europe/Berlin',
      exdates: ['2027-03-22T09:00:00Z', '2027-04-12T08:00:00Z'],
    })
    expect(message.overrides).toHaveLength(1)
    expect(message.overrides[0]).toMatchObject({
      recurrenceId: '2027-04-05T08:00:00Z', start: '2027-04-05T10:00:00Z', end: '2027-04-05T11:00:00Z', summary: 'Planning (moved)', location: 'Room 2', sequence: 4,
      attendees: [{ email: 'bob@example.org', rsvp: true }],
    })
  })

  it('states RDATE so node-ical reads it (the project reader keeps no RDATE)', () => {
    const master = Object.values(ical.sync.parseICS(out)).find((c) => c?.type === 'VEVENT' && !('recurrenceid' in c)) as unknown as { rdate: { params: { TZID: string }; val: string } }
    expect(master.rdate).toEqual({ params: { TZID: 'Europe/Berlin' }, val: '20270401T100000' })
  })

  it('writes an all-day series with DATE values and no zone', () => {
    const allDay: EventState = {
      ...series, allDay: true, start: '2027-05-03', end: '2027-05-04', rrule: 'FREQ=DAILY;COUNT=5', exdates: ['2027-05-05'], rdates: [],
      instances: { '2027-05-06': { recurrenceId: '2027-05-06', start: '2027-05-08', end: '2027-05-09', status: 'CONFIRMED', sequence: 4, dtstamp: null, summary: 'Moved day', location: null } },
    }
    const text = invite(allDay)
    expect(text).not.toMatch(/TZID|VTIMEZONE/)
    expect(linesOf(text)).toEqual(expect.arrayContaining(['DTSTART;VALUE=DATE:20270503', 'DTEND;VALUE=DATE:20270504', 'EXDATE;VALUE=DATE:20270505', 'RECURRENCE-ID;VALUE=DATE:20270506', 'DTSTART;VALUE=DATE:20270508']))
    const message = readCalendar(text)
    expect(message.master).toMatchObject({ allDay: true, start: '2027-05-03', end: '2027-05-04', exdates: ['2027-05-05'] })
    expect(message.overrides).toMatchObject([{ recurrenceId: '2027-05-06', start: '2027-05-08', summary: 'Moved day' }])
  })

  it('writes a series of RDATEs only, and an override of an RDATE occurrence points at it (found 1)', () => {
    const rdates: EventState = {
      ...series, rrule: null, exdates: [], rdates: ['2027-03-22T09:00:00Z', '2027-04-01T08:00:00Z/2027-04-01T09:30:00Z'],
      instances: { '2027-03-22T09:00:00Z': { recurrenceId: '2027-03-22T09:00:00Z', start: '2027-03-22T13:00:00Z', end: '2027-03-22T14:00:00Z', status: 'CONFIRMED', sequence: 4, dtstamp: null, summary: null, location: null } },
    }
    const text = invite(rdates)
    expect(linesOf(text)).toEqual(expect.arrayContaining(['RDATE;VALUE=PERIOD:20270401T080000Z/20270401T093000Z', 'RDATE;TZID=Europe/Berlin:20270322T100000']))
    expect(eventBlocks(text).join('\n')).not.toMatch(/^RRULE:/m)
    const message = readCalendar(text)
    expect(message.master!.rdates).toEqual(rdates.rdates)
    expect(message.overrides.map((o) => [o.recurrenceId, o.start])).toEqual([['2027-03-22T09:00:00Z', '2027-03-22T13:00:00Z']])
  })

  it('writes a series that starts in a DST gap at the wall-clock time the organizer chose (found 5)', () => {
    // 02:30 on 8 March 2026 does not exist in New York; read with the offset before the gap it is 07:30Z.
    const gap: EventState = { ...series, rrule: 'FREQ=WEEKLY;COUNT=4', exdates: [], rdates: [], instances: {}, timezone: 'America/New_York', tzid: 'America/New_York', startLocal: '2026-03-08T02:30:00', start: '2026-03-08T07:30:00Z', end: '2026-03-08T08:30:00Z' }
    const lines = linesOf(invite(gap))
    expect(lines).toContain('DTSTART;TZID=America/New_York:20260308T023000')
    expect(lines).toContain('DTEND;TZID=America/New_York:20260308T043000')
  })

  it('writes a series in a zone only the organizer\'s VTIMEZONE defines with that VTIMEZONE (found 2)', () => {
    const vtimezone = ['BEGIN:VTIMEZONE', 'TZID:Customized Time Zone', 'BEGIN:STANDARD', 'DTSTART:16010101T000000', 'TZOFFSETFROM:+0330', 'TZOFFSETTO:+0330', 'END:STANDARD', 'END:VTIMEZONE', ''].join('\r\n')
    const custom: EventState = { ...series, timezone: null, tzid: 'Customized Time Zone', vtimezone, startLocal: '2027-03-15T10:00:00', start: '2027-03-15T06:30:00Z', end: '2027-03-15T07:30:00Z', exdates: [], rdates: [], instances: {} }
    const text = invite(custom)
    expect(linesOf(text)).toEqual(expect.arrayContaining(['TZID:Customized Time Zone', 'DTSTART;TZID=Customized Time Zone:20270315T100000', 'TZOFFSETTO:+0330']))
    expect(readCalendar(text).master).toMatchObject({ start: '2027-03-15T06:30:00Z', end: '2027-03-15T07:30:00Z', tzid: 'Customized Time Zone' })
  })

  it("sends on only the organizer's VTIMEZONE components and offset properties, nothing a sender slipped in", () => {
    const hostile = ['BEGIN:VTIMEZONE', 'TZID:Customized Time Zone', 'X-INJECT:1', 'BEGIN:STANDARD', 'DTSTART:16010101T000000', 'TZOFFSETFROM:+0330', 'TZOFFSETTO:+0330',
      'ATTENDEE:mailto:eve@example.org', 'END:STANDARD', 'BEGIN:VEVENT', 'UID:evil', 'END:VEVENT', 'END:VTIMEZONE', ''].join('\r\n')
    const custom: EventState = { ...series, timezone: null, tzid: 'Customized Time Zone', vtimezone: hostile, startLocal: '2027-03-15T10:00:00', start: '2027-03-15T06:30:00Z', end: '2027-03-15T07:30:00Z', exdates: [], rdates: [], instances: {} }
    const text = invite(custom)
    expect(text).not.toMatch(/eve@example\.org|X-INJECT|UID:evil/)
    expect(linesOf(text).filter((l) => l.startsWith('ATTENDEE'))).toHaveLength(1)
    expect(readCalendar(text).master).toMatchObject({ start: '2027-03-15T06:30:00Z', tzid: 'Customized Time Zone' })
  })

  it('writes TRANSP as the organizer set it, OPAQUE when unset (found 6)', () => {
    expect(linesOf(invite({ ...series, allDay: true, start: '2027-05-03', end: '2027-05-04', transp: 'TRANSPARENT', exdates: [], rdates: [], instances: {} }))).toContain('TRANSP:TRANSPARENT')
    expect(linesOf(invite(series)).filter((l) => l.startsWith('TRANSP:'))).toEqual(['TRANSP:OPAQUE', 'TRANSP:OPAQUE'])
  })

  it('writes UNTIL on an all-day series as a DATE, also for a series stored with a DATE-TIME (found 3)', () => {
    expect(normalizeRrule('FREQ=WEEKLY;UNTIL=20260329T220000Z;BYDAY=MO', true, null)).toBe('FREQ=WEEKLY;UNTIL=20260329;BYDAY=MO')
    expect(linesOf(invite({ ...series, allDay: true, start: '2027-05-03', end: '2027-05-04', rrule: 'FREQ=DAILY;UNTIL=20270510T000000Z', exdates: [], rdates: [], instances: {} }))).toContain('RRULE:FREQ=DAILY;UNTIL=20270510')
  })

  it('keeps an all-day series all-day in a SEQUENCE-raised update, with a cancelled day as a DATE EXDATE (deliver 5)', () => {
    const allDay: EventState = {
      ...series, allDay: true, start: '2027-05-03', end: '2027-05-04', rrule: 'FREQ=DAILY;COUNT=5', exdates: [], rdates: [], sequence: 5,
      instances: { '2027-05-05': { recurrenceId: '2027-05-05', start: null, end: null, status: 'CANCELLED', sequence: 5, dtstamp: null, summary: null, location: null } },
    }
    const lines = linesOf(invite(allDay, { sequence: 6 }))
    expect(lines).toEqual(expect.arrayContaining(['SEQUENCE:6', 'DTSTART;VALUE=DATE:20270503', 'DTEND;VALUE=DATE:20270504', 'EXDATE;VALUE=DATE:20270505']))
    expect(lines.some((l) => /^(DTSTART|DTEND|EXDATE|RECURRENCE-ID)[:;](?!VALUE=DATE)/.test(l))).toBe(false)
    const cancel = linesOf(invite(allDay, { method: 'CANCEL', sequence: 7 }))
    expect(cancel).toEqual(expect.arrayContaining(['METHOD:CANCEL', 'STATUS:CANCELLED', 'DTSTART;VALUE=DATE:20270503']))
  })

  it('keeps only http(s) URLs (found 7)', () => {
    expect(linesOf(invite({ ...single, url: 'https://events.example.com/e/1' }))).toContain('URL;VALUE=URI:https://events.example.com/e/1')
    expect(invite({ ...single, url: 'javascript:alert(1)' })).not.toMatch(/^URL/m)
    expect(invite({ ...single, url: 'data:text/html,<script>' })).not.toMatch(/^URL/m)
  })

  it('gives a series without a known zone UTC times', () => {
    const text = invite({ ...series, timezone: null })
    expect(text).not.toMatch(/TZID|VTIMEZONE/)
    expect(readCalendar(text).master).toMatchObject({ start: series.start, exdates: ['2027-03-22T09:00:00Z', '2027-04-12T08:00:00Z'] })
  })

  it('states a floating UNTIL in UTC, as RFC 5545 requires with a zoned DTSTART', () => {
    expect(normalizeRrule('FREQ=WEEKLY;UNTIL=20270531T100000;BYDAY=MO', false, 'Europe/Berlin')).toBe('FREQ=WEEKLY;UNTIL=20270531T080000Z;BYDAY=MO')
    expect(normalizeRrule('RRULE:FREQ=WEEKLY;UNTIL=20270531T100000', false, null)).toBe('FREQ=WEEKLY;UNTIL=20270531T100000Z')
    expect(normalizeRrule('FREQ=DAILY;UNTIL=20270531', true, null)).toBe('FREQ=DAILY;UNTIL=20270531')
  })
})
