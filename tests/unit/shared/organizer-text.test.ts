import { describe, it, expect } from 'vitest'
import { joinLinkOf, textPieces, withoutCallBlocks } from '../../../shared/organizer-text'

describe('textPieces: organizers\' text as text and safe links', { tags: ['security'] }, () => {
  it('makes http(s) and mailto links, keeping the text around them as text', () => {
    expect(textPieces('Agenda at https://example.org/agenda?x=1, questions to ann@example.org.')).toEqual([
      { kind: 'text', text: 'Agenda at ' },
      { kind: 'link', text: 'https://example.org/agenda?x=1', href: 'https://example.org/agenda?x=1' },
      { kind: 'text', text: ', questions to ' },
      { kind: 'link', text: 'ann@example.org', href: 'mailto:ann@example.org' },
      { kind: 'text', text: '.' },
    ])
  })

  it('keeps HTML as text: a <script> or an <a> written by the organizer is not markup', () => {
    const text = '<script>alert(1)</script> <a href="javascript:alert(2)">click</a> <b>bold</b>'
    const pieces = textPieces(text)
    expect(pieces.map((piece) => piece.text).join('')).toBe(text)
    expect(pieces.filter((piece) => piece.kind === 'link')).toEqual([])
  })

  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd'])('never links %s', (url) => {
    expect(textPieces(`go ${url} now`).filter((piece) => piece.kind === 'link')).toEqual([])
  })

  it('does not link ftp: or protocol-relative addresses', () => {
    expect(textPieces('ftp://files.example.org and //example.org/x').filter((piece) => piece.kind === 'link')).toEqual([])
  })

  it('links a bare domain as http (linkify-it\'s fuzzy links)', () => {
    expect(textPieces('see example.org')).toEqual([{ kind: 'text', text: 'see ' }, { kind: 'link', text: 'example.org', href: 'http://example.org/' }])
  })

  it('keeps a Teams invitation\'s separators and line breaks as they are', () => {
    const text = '________________\nMicrosoft Teams meeting\nJoin: https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d\n________________'
    expect(textPieces(text).map((piece) => piece.text).join('')).toBe(text)
  })
})

describe('joinLinkOf: the video call a "Join" button opens', () => {
  it.each([
    ['https://meet.google.com/abc-defg-hij', 'Google Meet'],
    ['https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d', 'Microsoft Teams'],
    ['https://teams.microsoft.com/meet/2318754?p=abc', 'Microsoft Teams'],
    ['https://teams.live.com/meet/9312345678?p=abc', 'Microsoft Teams'],
    ['https://us02web.zoom.us/j/81234567890?pwd=abc', 'Zoom'],
    ['https://zoom.us/j/81234567890', 'Zoom'],
    ['https://acme.zoom.us/my/room', 'Zoom'],
  ])('recognises %s as %s', (url, service) => {
    expect(joinLinkOf(`Dial in: ${url}`)).toEqual({ service, href: new URL(url).href })
  })

  it.each([
    'https://zoom.us/', 'https://support.zoom.us/hc/en-us', 'https://zoom.us.evil.example/j/1', 'https://evilzoom.us/j/1', 'http://meet.google.com/abc-defg-hij',
    'https://meet.google.com/', 'https://teams.microsoft.com/', 'https://aka.ms/JoinTeamsMeeting', 'https://example.org/meet.google.com/abc-defg-hij',
  ])('is not fooled by %s', (url) => {
    expect(joinLinkOf(url)).toBeNull()
  })

  it('prefers the location to the description, and finds one in a long invitation text', () => {
    const description = 'Help: https://support.zoom.us/hc\n—\nJoin Zoom Meeting\nhttps://us06web.zoom.us/j/85551234567?pwd=xyz\nMeeting ID: 855 5123 4567'
    expect(joinLinkOf(null, description)).toEqual({ service: 'Zoom', href: 'https://us06web.zoom.us/j/85551234567?pwd=xyz' })
    expect(joinLinkOf('https://meet.google.com/abc-defg-hij', description)?.service).toBe('Google Meet')
    expect(joinLinkOf('Room 4', null)).toBeNull()
  })
})

describe('withoutCallBlocks: a description beside its "Join" link', () => {
  const meet = [
    'Quarterly planning. Agenda: https://example.org/agenda',
    '',
    '-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-',
    'Join with Google Meet: https://meet.google.com/abc-defg-hij',
    'Or dial: (US) +1 555-555-0100 PIN: 123456789#',
    'More phone numbers: https://tel.meet/abc-defg-hij?pin=123456789',
    '',
    'Learn more about Meet at: https://support.google.com/a/users/answer/9282720',
    '',
    'Please do not edit this section.',
    '-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-',
  ].join('\n')
  const teams = [
    'Bring the numbers.',
    '________________________________________________________________________________',
    'Microsoft Teams meeting',
    'Join on your computer, mobile app or room device',
    'Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d>',
    'Meeting ID: 123 456 789 012',
    'Passcode: aBc123',
    '________________________________________________________________________________',
    'See you there.',
  ].join('\r\n')
  const zoom = 'Weekly sync.\n\nAnn is inviting you to a scheduled Zoom meeting.\n\nJoin Zoom Meeting\nhttps://us06web.zoom.us/j/85551234567?pwd=xyz\n\nMeeting ID: 855 5123 4567\n---\nOne tap mobile\n+15555550100,,85551234567#'
  it.each([
    ['Google Meet', meet, 'Quarterly planning. Agenda: https://example.org/agenda'],
    ['Microsoft Teams', teams, 'Bring the numbers.\n\nSee you there.'],
    ['Zoom', zoom, 'Weekly sync.'],
    ['a line of underscores an organizer typed', 'Sign here\n__________\nand here\n__________', 'Sign here\n__________\nand here\n__________'],
    ['no call at all', 'Bring snacks.', 'Bring snacks.'],
  ])('%s', (_, text, expected) => {
    const join = joinLinkOf(text) ?? { service: 'Zoom', href: 'https://zoom.us/j/1' }
    expect(withoutCallBlocks(text, join)).toBe(expected)
    // What was removed was the block of the call the page offers to join.
    expect(joinLinkOf(withoutCallBlocks(text, join))).toBeNull()
  })

  it("keeps another call's block: a Zoom block stays beside the location's Meet link", () => {
    const meetInLocation = { service: 'Google Meet' as const, href: 'https://meet.google.com/abc-defg-hij' }
    expect(withoutCallBlocks(zoom, meetInLocation)).toBe(zoom)
    expect(withoutCallBlocks(`${teams}\n\n${zoom}`, joinLinkOf(teams)!)).toBe(`Bring the numbers.\n\nSee you there.\n\n${zoom}`)
  })
})
