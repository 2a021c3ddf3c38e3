import { describe, it, expect } from 'vitest'
import { isOver, readInviteRequest, signInviteRequest } from '../../../../../server/domain/invite/invite-request'
import { readToken, signToken } from '../../../../../server/domain/links/signed-token'

const SECRET = 'a secret for tests'
const NOW = new Date('2027-01-10T12:00:00Z')
const link = { email: 'Ann@Example.org', publicId: 'AbCdEfGhIjKlMnOp', origin: 'embed' as const }
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000)

describe('the confirmation link of "Send me the invite"', () => {
  it('carries the address (lower case), the public id and the origin until it expires', () => {
    const token = signInviteRequest(SECRET, link, inDays(3))
    expect(readInviteRequest(SECRET, token, NOW)).toEqual({ valid: true, email: 'ann@example.org', publicId: 'AbCdEfGhIjKlMnOp', origin: 'embed' })
    expect(readInviteRequest(SECRET, token, inDays(3))).toEqual({ valid: false, reason: 'expired' })
  })

  it.each([
    ['another secret', (t: string) => readInviteRequest('another secret', t, NOW)],
    ['a changed address', (t: string) => readInviteRequest(SECRET, `${Buffer.from(`eve@example.org\nAbCdEfGhIjKlMnOp\nembed\n9999999999`).toString('base64url')}.${t.split('.')[1]}`, NOW)],
    ['a changed signature', (t: string) => readInviteRequest(SECRET, `${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`, NOW)],
    ['garbage', () => readInviteRequest(SECRET, 'not a token', NOW)],
  ])('is refused with %s', (_what, read) => {
    expect(read(signInviteRequest(SECRET, link, inDays(3)))).toEqual({ valid: false, reason: 'invalid' })
  })

  it('is worthless for another purpose, and another purpose’s token is worthless here', () => {
    const token = signInviteRequest(SECRET, link, inDays(3))
    expect(readToken(SECRET, 'web-answer', token)).toBeNull()
    const other = signToken(SECRET, 'web-answer', ['ann@example.org', 'AbCdEfGhIjKlMnOp', 'embed', '9999999999'])
    expect(readInviteRequest(SECRET, other, NOW)).toEqual({ valid: false, reason: 'invalid' })
  })
})

describe('an event is over', () => {
  it.each([
    ['ended yesterday', { start: '2027-01-09T10:00:00Z', end: '2027-01-09T11:00:00Z', allDay: false, rrule: null }, true],
    ['running now', { start: '2027-01-10T11:00:00Z', end: '2027-01-10T13:00:00Z', allDay: false, rrule: null }, false],
    ['started, with no end', { start: '2027-01-10T11:00:00Z', end: null, allDay: false, rrule: null }, true],
    ['all day today', { start: '2027-01-10', end: null, allDay: true, rrule: null }, false],
    ['all day yesterday (end exclusive)', { start: '2027-01-09', end: '2027-01-10', allDay: true, rrule: null }, true],
    ['a series that goes on', { start: '2026-01-05T09:00:00Z', end: '2026-01-05T10:00:00Z', allDay: false, rrule: 'FREQ=WEEKLY;BYDAY=MO' }, false],
    ['a series counted out (taken as going on)', { start: '2026-01-05T09:00:00Z', end: '2026-01-05T10:00:00Z', allDay: false, rrule: 'FREQ=WEEKLY;COUNT=2' }, false],
    ['a series until last month', { start: '2026-01-05T09:00:00Z', end: '2026-01-05T10:00:00Z', allDay: false, rrule: 'FREQ=WEEKLY;UNTIL=20261201T000000Z' }, true],
  ])('%s: %s', (_what, event, over) => {
    expect(isOver(event, NOW)).toBe(over)
  })
})
