import { describe, it, expect } from 'vitest'
import PostalMime from 'postal-mime'
import { composeInvitation } from '../../../../server/services/invitations'
import type { EventState } from '../../../../server/domain/itip/event-state'

const event: EventState = {
  uid: 'evt-2@example.com', organizer: { email: 'olga@example.com', name: 'Olga' }, summary: 'Launch <party>', description: null, location: null, url: null,
  start: '2027-05-01', end: '2027-05-02', allDay: true, timezone: null, rrule: null, exdates: [], rdates: [], status: 'CONFIRMED', sequence: 0, dtstamp: '', prodid: null, instances: {},
}

describe('composeInvitation (ITIP 19)', () => {
  it('builds mixed(alternative(plain, html, calendar), invite.ics), calendar base64, one recipient', async () => {
    const raw = (await composeInvitation(event, { email: 'bob@example.org', name: 'Bob\r\nBcc: everyone@example.org' })).toString()
    expect(raw).toMatch(/^Content-Class: urn:content-classes:calendarmessage$/m)
    expect(raw).toMatch(/^Content-Type: multipart\/mixed;/m)
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m)
    expect(raw).toMatch(/^Content-Type: text\/calendar; charset=UTF-8; method=REQUEST\r\nContent-Transfer-Encoding: base64$/m)
    expect(raw).not.toMatch(/^Bcc:/im)
    const parsed = await PostalMime.parse(raw)
    expect(parsed.to).toHaveLength(1)
    expect(parsed.html).toContain('Launch &#60;party&#62;')
    const calendars = parsed.attachments.filter((a) => /calendar|ics/.test(a.mimeType))
    expect(calendars.map((a) => a.filename)).toContain('invite.ics')
    expect(calendars.find((a) => a.mimeType === 'text/calendar')?.method).toBe('REQUEST')
  })
})
