import { describe, it, expect } from 'vitest'
import { arrangeAttendees, matchesAttendee, pageAfter, summarizeAttendees, type AttendeeRow } from '../../../../../server/domain/reports/attendee-list'

const row = (email: string, fields: Partial<AttendeeRow> = {}): AttendeeRow => ({ email, name: null, partstat: 'NEEDS-ACTION', source: 'invite', repliedAt: null, ...fields })
const emails = (rows: AttendeeRow[]) => rows.map((r) => r.email)

describe('the attendee list', () => {
  const people = [
    row('p10@x.example', { name: 'person10', partstat: 'ACCEPTED', repliedAt: '2026-11-02T00:00:00Z' }),
    row('p2@x.example', { name: 'person2', partstat: 'DECLINED', repliedAt: '2026-11-03T00:00:00Z' }),
    row('p1@x.example', { name: 'Person1', partstat: 'TENTATIVE', repliedAt: '2026-11-01T00:00:00Z' }),
    row('zoe@x.example'),
    row('amy@x.example', { source: 'shared', partstat: 'ACCEPTED', repliedAt: '2026-11-04T00:00:00Z' }),
  ]

  it.each([
    ['name', ['amy@x.example', 'p1@x.example', 'p2@x.example', 'p10@x.example', 'zoe@x.example']],
    ['answer', ['amy@x.example', 'p10@x.example', 'p1@x.example', 'p2@x.example', 'zoe@x.example']],
    ['replied', ['amy@x.example', 'p2@x.example', 'p10@x.example', 'p1@x.example', 'zoe@x.example']],
  ] as const)('sorts by %s (names naturally, without regard to case; the address when there is no name)', (sort, expected) => {
    expect(emails(arrangeAttendees(people, { sort }))).toEqual(expected)
  })

  it.each([
    ['JOSÉ', true],
    ['jose', true],
    ['nunez@', true],
    ['maria', false],
    ['', true],
  ])('searches name and address for %j, ignoring case and accents', (q, found) => {
    expect(matchesAttendee(row('nunez@x.example', { name: 'José Núñez' }), q)).toBe(found)
  })

  it('pages after the last row given, even when that row has gone since', () => {
    const arranged = arrangeAttendees(people, { sort: 'name' })
    const first = pageAfter(arranged, 'name', undefined, 2)
    expect(first).toEqual({ rows: arranged.slice(0, 2), more: true })
    const withoutIt = arranged.filter((r) => r.email !== first.rows[1]!.email)
    expect(emails(pageAfter(withoutIt, 'name', first.rows[1], 2).rows)).toEqual(['p2@x.example', 'p10@x.example'])
    expect(pageAfter(arranged, 'name', arranged.at(-1), 2)).toEqual({ rows: [], more: false })
  })

  it('counts answers among the invited and everyone coming', () => {
    expect(summarizeAttendees(people)).toEqual({ invited: 4, answered: 3, shared: 1, accepted: 2, tentative: 1, headcount: 3 })
  })
})
