import { describe, it, expect } from 'vitest'
import Papa from 'papaparse'
import { attendeeReportCsv, attendeeReportFileName, ATTENDEE_REPORT_COLUMNS, type AttendeeReportRow } from '../../../../../server/domain/reports/attendee-report'

const row = (overrides: Partial<AttendeeReportRow> = {}): AttendeeReportRow => ({
  email: 'ann@example.org',
  name: 'Ann',
  answer: 'ACCEPTED',
  source: 'invite',
  origin: 'api',
  invitationStatus: 'sent',
  invitedAt: '2027-01-01T09:00:00.000Z',
  repliedAt: '2027-01-02T10:00:00.000Z',
  client: 'Google Calendar',
  ...overrides,
})

describe('attendeeReportCsv', { tags: ['security'] }, () => {
  it('writes a header row and one CRLF-ended row per attendee, empty cells for nothing', () => {
    const csv = attendeeReportCsv([row(), row({ email: 'bob@example.org', name: null, answer: 'NEEDS-ACTION', source: 'organizer', origin: null, invitationStatus: null, invitedAt: null, repliedAt: null, client: null })])
    expect(csv.split('\r\n')).toEqual([
      'email,name,answer,source,origin,invitationStatus,invitedAt,repliedAt,client',
      'ann@example.org,Ann,ACCEPTED,invite,api,sent,2027-01-01T09:00:00.000Z,2027-01-02T10:00:00.000Z,Google Calendar',
      'bob@example.org,,NEEDS-ACTION,organizer,,,,,',
      '',
    ])
  })

  it('has only a header for no attendees', () => {
    expect(attendeeReportCsv([])).toBe(`${ATTENDEE_REPORT_COLUMNS.join(',')}\r\n`)
  })

  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['+1+2', `"'+1+2"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tcmd', `"'\tcmd"`],
    ['=1+1\nsecond line', `"'=1+1\nsecond line"`],
    ['Ann = Bob', 'Ann = Bob'],
    ['Smith, Jane', '"Smith, Jane"'],
    ['Say "hi"', '"Say ""hi"""'],
  ])('escapes %j as %s (CSV injection, quoting)', (name, cell) => {
    const csv = attendeeReportCsv([row({ name })])
    expect(csv.split('\r\n')[1]).toBe(`ann@example.org,${cell},ACCEPTED,invite,api,sent,2027-01-01T09:00:00.000Z,2027-01-02T10:00:00.000Z,Google Calendar`)
  })

  it('reads back to the same values (apart from the formula guard)', () => {
    const rows = [row({ name: 'Zoë "Z" Müller, PhD' }), row({ email: 'x@example.org', name: '=cmd' })]
    const parsed = Papa.parse<Record<string, string>>(attendeeReportCsv(rows), { header: true, skipEmptyLines: true })
    expect(parsed.data.map((r) => r.name)).toEqual(['Zoë "Z" Müller, PhD', "'=cmd"])
  })
})

describe('attendeeReportFileName', { tags: ['security'] }, () => {
  it.each([
    ['Team Offsite 2027', 'attendees-team-offsite-2027.csv'],
    ['Café: "Launch" / Q1', 'attendees-cafe-launch-q1.csv'],
    ['', 'attendees.csv'],
    ['日本語', 'attendees.csv'],
    ['a'.repeat(100), `attendees-${'a'.repeat(60)}.csv`],
  ])('%j → %s', (summary, name) => {
    expect(attendeeReportFileName(summary)).toBe(name)
  })
})
