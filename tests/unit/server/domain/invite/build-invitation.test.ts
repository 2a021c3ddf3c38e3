import { describe, it, expect } from 'vitest'
import { buildInvitation } from '../../../../../server/domain/invite/build-invitation'
import { readCalendar } from '../../../../../server/domain/ical/read-calendar'
import type { EventState } from '../../../../../server/domain/itip/event-state'

const event: EventState = {
  uid: 'evt-1@example.com', organizer: { email: 'olga@example.com', name: 'Olga Ørganizer' }, summary: 'Planning; budget, Q1 \\ review',
  description: 'Line one\nLine two', location: 'Room 1', url: null, start: '2027-03-15T09:00:00Z', end: '2027-03-15T10:00:00Z', allDay: false,
  timezone: 'Europe/Berlin', rrule: 'FREQ=WEEKLY;COUNT=4', exdates: [], rdates: [], status: 'CONFIRMED', sequence: 3, dtstamp: '2026-11-01T00:00:00Z', prodid: null, instances: {},
}

describe('buildInvitation (ITIP 20-22)', () => {
  const text = buildInvitation(event, { replyTo: 'rsvp@events.example.com', recipient: { email: 'bob@example.org', name: 'Bob' }, now: new Date('2026-11-23T12:00:00Z') })

  it('reads back as the same event, asking exactly one attendee to answer', () => {
    const message = readCalendar(text)
    expect(message.method).toBe('REQUEST')
    expect(message.master).toMatchObject({
      uid: 'evt-1@example.com', sequence: 3, dtstamp: '2026-11-23T12:00:00Z', start: '2027-03-15T09:00:00Z', end: '2027-03-15T10:00:00Z',
      summary: 'Planning; budget, Q1 \\ review', description: 'Line one\nLine two', rrule: 'FREQ=WEEKLY;COUNT=4',
      organizer: { email: 'rsvp@events.example.com', name: 'Olga Ørganizer' },
      attendees: [{ email: 'bob@example.org', name: 'Bob', partstat: 'NEEDS-ACTION', role: 'REQ-PARTICIPANT', rsvp: true }],
    })
  })

  it('uses CRLF, escapes text values and folds lines at 75 octets', () => {
    expect(text).toMatch(/\r\n/)
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/)
    expect(text).toContain('SUMMARY:Planning\\; budget\\, Q1 \\\\ review')
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75)
  })
})
