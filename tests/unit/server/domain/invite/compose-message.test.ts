import { describe, it, expect } from 'vitest'
import PostalMime from 'postal-mime'
import ical from 'node-ical'
import { composeInvitationMessage, type InvitationMessage } from '../../../../../server/domain/invite/compose-message'
import { readCalendar } from '../../../../../server/domain/ical/read-calendar'
import type { EventState } from '../../../../../server/domain/itip/event-state'
import { expectProperInvitation } from '../../../../support/invitation-mime'
import { compileMailTemplates, shippedMailTemplates } from '../../../../../server/templates/mail'

const NOW = new Date('2026-11-23T12:00:00Z')
const RSVP = 'rsvp@events.example.com'
const UNSUBSCRIBE = 'https://events.example.com/unsubscribe/tok_123-abc'

const launch: EventState = {
  uid: 'evt-2@example.com', organizer: { email: 'olga@example.com', name: 'Olga Ørganizer' }, summary: 'Launch <party> & "friends"',
  description: 'Bring <b>snacks</b>,\nand friends; all welcome.', location: 'Hall 1, Main St.', url: null,
  start: '2027-05-01T16:00:00Z', end: '2027-05-01T18:00:00Z', allDay: false, timezone: 'Europe/Berlin', tzid: null, startLocal: null, vtimezone: null, transp: null, rrule: null, exdates: [], rdates: [],
  status: 'CONFIRMED', sequence: 0, dtstamp: '2026-11-01T00:00:00Z', prodid: null, instances: {},
}

const weekly: EventState = {
  ...launch, uid: 'weekly@example.com', summary: 'Team sync', description: null, location: null,
  start: '2027-03-15T09:00:00Z', end: '2027-03-15T09:30:00Z', rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=10', exdates: ['2027-03-22T09:00:00Z'], sequence: 2,
  instances: {
    '2027-04-05T08:00:00Z': { recurrenceId: '2027-04-05T08:00:00Z', start: '2027-04-05T12:00:00Z', end: '2027-04-05T12:30:00Z', status: 'CONFIRMED', sequence: 2, dtstamp: null, summary: 'Team sync (afternoon)', location: 'Room 7' },
    '2027-04-12T08:00:00Z': { recurrenceId: '2027-04-12T08:00:00Z', start: '2027-04-12T08:00:00Z', end: null, status: 'CANCELLED', sequence: 2, dtstamp: null, summary: null, location: null },
  },
}

const holiday: EventState = { ...launch, uid: 'holiday@example.com', summary: '夏休み 🏖️', start: '2027-08-02', end: '2027-08-07', allDay: true, timezone: null }

const message = (overrides: Partial<InvitationMessage> = {}): InvitationMessage => ({
  event: launch,
  recipient: { email: 'bob@example.org', name: 'Bob Builder' },
  method: 'REQUEST',
  sequence: 0,
  organizerMailbox: RSVP,
  unsubscribeUrl: UNSUBSCRIBE,
  eventUrl: 'https://events.example.com/e/evt-2',
  templates: shippedMailTemplates,
  now: NOW,
  ...overrides,
})

const parse = async (raw: Buffer) => PostalMime.parse(raw)
const calendarOf = (parsed: Awaited<ReturnType<typeof parse>>) => {
  const part = parsed.attachments.find((a) => a.mimeType === 'text/calendar')!
  return typeof part.content === 'string' ? part.content : new TextDecoder().decode(part.content)
}

describe('composeInvitationMessage (ITIP 19-24)', () => {
  it('builds mixed ( alternative ( plain, html, calendar ), invite.ics ) that passes every check', async () => {
    const raw = await composeInvitationMessage(message())
    const parts = expectProperInvitation(raw, { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0, unsubscribe: true })
    expect(parts.subject).toBe('Invitation: Launch <party> & "friends" @ Saturday, 1 May 2027 at 18:00 – 20:00 (Europe/Berlin)')
    expect(parts.root.children[1]!.type).toBe('application/ics')
    const alternative = parts.root.children[0]!.children
    expect(alternative.map((p) => [p.type, p.transferEncoding])).toEqual([
      ['text/plain', 'quoted-printable'],
      ['text/html', 'quoted-printable'],
      ['text/calendar', 'base64'],
    ])
    expect(alternative[2]!.headers.find((h) => h.key === 'Content-Type')!.value).toBe('text/calendar; charset=UTF-8; method=REQUEST')
    expect(raw.toString()).toMatch(/^Content-Class: urn:content-classes:calendarmessage\r$/m)
  })

  it('reads back with postal-mime: one recipient, the organizer name at the rsvp mailbox, the calendar with its method', async () => {
    const parsed = await parse(await composeInvitationMessage(message()))
    expect(parsed.from).toMatchObject({ name: 'Olga Ørganizer', address: RSVP })
    expect(parsed.to).toEqual([{ name: 'Bob Builder', address: 'bob@example.org' }])
    expect(parsed.cc ?? []).toEqual([])
    expect(parsed.bcc ?? []).toEqual([])
    const calendars = parsed.attachments.filter((a) => /calendar|ics/.test(a.mimeType))
    expect(calendars.map((a) => [a.mimeType, a.filename ?? null, a.method ?? null])).toEqual([
      ['text/calendar', null, 'REQUEST'],
      ['application/ics', 'invite.ics', null],
    ])
    expect(parsed.headers.find((h) => h.key === 'list-unsubscribe')?.value).toBe(`<${UNSUBSCRIBE}>`)
    expect(parsed.headers.find((h) => h.key === 'list-unsubscribe-post')?.value).toBe('List-Unsubscribe=One-Click')
  })

  it('says who invites to what, when (in the event zone), where, the description and both links; HTML-escaped', async () => {
    const parsed = await parse(await composeInvitationMessage(message()))
    expect(parsed.text).toContain('Olga Ørganizer invites you to "Launch <party> & "friends"".')
    expect(parsed.text).toContain('When:      Saturday, 1 May 2027 at 18:00 – 20:00 (Europe/Berlin)')
    expect(parsed.text).toContain('Where:     Hall 1, Main St.')
    expect(parsed.text).toContain('Bring <b>snacks</b>,\nand friends; all welcome.')
    expect(parsed.text).toContain('Event page: https://events.example.com/e/evt-2')
    expect(parsed.text).toContain(`To receive no more invitations from this server: ${UNSUBSCRIBE}`)
    expect(parsed.html).toContain('invites you to &quot;Launch &lt;party&gt; &amp; &quot;friends&quot;&quot;.')
    expect(parsed.html).toContain('Bring &lt;b&gt;snacks&lt;/b&gt;,<br>')
    expect(parsed.html).not.toMatch(/<b>|<party>/)
    expect(parsed.html).toContain(`<a href="${UNSUBSCRIBE}">`)
    expect(parsed.html).toContain('<a href="https://events.example.com/e/evt-2">Event page</a>')
  })

  it('calls a first invitation an invitation, whatever its SEQUENCE', async () => {
    const parts = expectProperInvitation(await composeInvitationMessage(message({ sequence: 3 })), { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 3 })
    expect(parts.subject).toMatch(/^Invitation: Launch/)
    expect(parts.text).toMatch(/invites you to "Launch/)
  })

  it.each<[string, { method: 'REQUEST' | 'CANCEL'; sequence: number; update?: boolean }, RegExp]>([
    ['an update', { method: 'REQUEST', sequence: 3, update: true }, /^Updated invitation: Launch/],
    ['a cancellation', { method: 'CANCEL', sequence: 4 }, /^Cancelled: Launch/],
  ])('names %s in the subject and the body', async (_, change, subject) => {
    const raw = await composeInvitationMessage(message(change))
    const method = change.method
    const parts = expectProperInvitation(raw, { method, recipient: 'bob@example.org', uid: launch.uid, sequence: change.sequence, unsubscribe: true })
    expect(parts.subject).toMatch(subject)
    expect(parts.text).toMatch(method === 'CANCEL' ? /has cancelled "Launch/ : /has updated the invitation to "Launch/)
  })

  it('shows all-day events as days, a series with its rule and exceptions', async () => {
    const allDay = expectProperInvitation(await composeInvitationMessage(message({ event: holiday })), { method: 'REQUEST', recipient: 'bob@example.org', uid: holiday.uid, sequence: 0 })
    expect(allDay.text).toContain('When:      Monday, 2 August 2027 – Friday, 6 August 2027 (all day)')
    const series = expectProperInvitation(await composeInvitationMessage(message({ event: weekly, sequence: 2 })), { method: 'REQUEST', recipient: 'bob@example.org', uid: weekly.uid, sequence: 2 })
    expect(series.text).toContain('Repeats:    every week on Monday, 10 times')
    expect(series.text).toContain('Exceptions: 1 changed, 2 cancelled (see your calendar)')
    expect(series.text).toContain('When:       Monday, 15 March 2027 at 10:00 – 10:30 (Europe/Berlin)')
  })

  it('leaves out the unsubscribe headers and link when no URL is given', async () => {
    const parts = expectProperInvitation(await composeInvitationMessage(message({ unsubscribeUrl: undefined })), { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0, unsubscribe: false })
    expect(parts.text).not.toMatch(/unsubscribe|no more invitations/i)
  })

  it('encodes non-ASCII names as RFC 2047 words (ITIP 24)', async () => {
    const raw = await composeInvitationMessage(message({
      event: { ...launch, organizer: { email: 'olga@example.com', name: '王秀英' } },
      recipient: { email: 'bob@example.org', name: 'Zoë Ørsted-Ñúñez' },
    }))
    const head = raw.toString('latin1').split('\r\n\r\n')[0]!
    expect(head).toMatch(/^From: =\?UTF-8\?B\?[^?]+\?= <rsvp@events\.example\.com>$/m)
    expect(head).toMatch(/^To: =\?UTF-8\?Q\?Zo=C3=AB_=C3=98rsted-=C3=91=C3=BA=C3=B1e\?= =\?UTF-8\?Q\?z\?=\r\n <bob@example\.org>$/m)
    const parsed = await parse(raw)
    expect(parsed.from).toMatchObject({ name: '王秀英', address: RSVP })
    expect(parsed.to).toEqual([{ name: 'Zoë Ørsted-Ñúñez', address: 'bob@example.org' }])
    expectProperInvitation(raw, { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0, unsubscribe: true })
  })

  it.each([
    ['recipient name', { recipient: { email: 'bob@example.org', name: 'Bob\r\nBcc: everyone@example.org' } }],
    ['organizer name', { event: { ...launch, organizer: { email: 'olga@example.com', name: 'Olga\nBcc: everyone@example.org\r\nX-Evil: 1' } } }],
    ['summary', { event: { ...launch, summary: 'Launch\r\nBcc: everyone@example.org\r\n\r\n<script>' } }],
    ['summary with other separators', { event: { ...launch, summary: 'Launch\u0085Bcc: a@b.c\u2028To: c@d.e\u0000\u001b' } }],
  ])('cannot be made to add headers through the %s (ITIP 24)', async (_, change) => {
    {
      const raw = await composeInvitationMessage(message(change))
      const head = raw.toString('latin1').split('\r\n\r\n')[0]!
      expect(head).not.toMatch(/^(Bcc|X-Evil|Cc):/im)
      const parts = expectProperInvitation(raw, { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0, unsubscribe: true })
      const parsed = await parse(raw)
      expect(parsed.to).toHaveLength(1)
      expect(parsed.bcc ?? []).toEqual([])
      expect(parts.subject + parts.from + parts.to).not.toMatch(/[\r\n\u0000-\u001f\u0085\u2028]/)
    }
  })

  it.each([
    ['an address with a line break', { recipient: { email: 'bob@example.org\r\nBcc: eve@example.org', name: null } }, /recipient address/],
    ['a second address', { recipient: { email: 'bob@example.org, eve@example.org', name: null } }, /recipient address/],
    ['an unsubscribe URL that closes the bracket', { unsubscribeUrl: 'https://x.example/u>, <mailto:eve@example.org' }, /unsubscribe URL/],
    ['an unsubscribe URL with a line break', { unsubscribeUrl: 'https://x.example/u\r\nBcc: eve@example.org' }, /unsubscribe URL/],
    ['a bad organizer mailbox', { organizerMailbox: 'rsvp' }, /organizer mailbox/],
    // RFC 8058: the one-click POST goes over HTTPS; plain http only for this machine.
    ['an http unsubscribe URL on the internet', { unsubscribeUrl: 'http://events.example.com/unsubscribe/t' }, /https URL/],
    ['an http URL that only starts like localhost', { unsubscribeUrl: 'http://localhost.evil.example/unsubscribe/t' }, /https URL/],
  ])('refuses %s', async (_, change, reason) => {
    await expect(composeInvitationMessage(message(change))).rejects.toThrow(reason)
  })

  it.each(['http://localhost:3000/unsubscribe/t', 'http://127.0.0.1:3000/u', 'http://events.localhost/u'])('accepts the local stack\'s http unsubscribe URL %s', async (url) => {
    const raw = await composeInvitationMessage(message({ unsubscribeUrl: url }))
    expect(expectProperInvitation(raw, { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0, unsubscribe: true }).headers).toContainEqual({ key: 'List-Unsubscribe', value: `<${url}>` })
  })

  it('says that answers reach the organizer through the server, which is where they go', async () => {
    const parts = expectProperInvitation(await composeInvitationMessage(message()), { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0, unsubscribe: true })
    expect(parts.text).toContain('this server records your answer for Olga Ørganizer')
    expect(parts.text).not.toMatch(/answer goes to/)
  })

  it('reads back as the same event with the project reader and node-ical', async () => {
    const raw = await composeInvitationMessage(message({ event: weekly, sequence: 2, recipient: { email: 'bob@example.org', name: null } }))
    const text = calendarOf(await parse(raw))
    const read = readCalendar(text)
    expect(read.method).toBe('REQUEST')
    expect(read.master).toMatchObject({
      uid: weekly.uid, sequence: 2, start: weekly.start, end: weekly.end, summary: 'Team sync', rrule: weekly.rrule, timezone: 'Europe/Berlin',
      exdates: ['2027-03-22T09:00:00Z', '2027-04-12T08:00:00Z'], organizer: { email: RSVP, name: 'Olga Ørganizer' },
      attendees: [{ email: 'bob@example.org', name: null, partstat: 'NEEDS-ACTION', role: 'REQ-PARTICIPANT', rsvp: true }],
    })
    expect(read.overrides.map((o) => [o.recurrenceId, o.start, o.end, o.summary, o.location])).toEqual([
      ['2027-04-05T08:00:00Z', '2027-04-05T12:00:00Z', '2027-04-05T12:30:00Z', 'Team sync (afternoon)', 'Room 7'],
    ])
    const events = Object.values(ical.sync.parseICS(text)).filter((c) => c?.type === 'VEVENT') as unknown as { summary: string; start: Date; end: Date; recurrenceid?: Date }[]
    const master = events.find((e) => !e.recurrenceid)!
    expect([master.summary, master.start.toISOString(), master.end.toISOString()]).toEqual(['Team sync', '2027-03-15T09:00:00.000Z', '2027-03-15T09:30:00.000Z'])
  })

  it('gives a fresh Message-ID and DTSTAMP to every message', async () => {
    const a = expectProperInvitation(await composeInvitationMessage(message({ now: new Date('2026-11-23T12:00:00Z') })), { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0 })
    const b = expectProperInvitation(await composeInvitationMessage(message({ now: new Date('2026-11-24T08:30:00Z') })), { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0 })
    const id = (p: typeof a) => p.headers.find((h) => h.key === 'Message-ID')!.value
    expect(id(a)).toMatch(/^<[0-9a-f-]{36}@events\.example\.com>$/)
    expect(id(a)).not.toBe(id(b))
    expect(a.calendarLines).toContain('DTSTAMP:20261123T120000Z')
    expect(b.calendarLines).toContain('DTSTAMP:20261124T083000Z')
    expect(b.headers.find((h) => h.key === 'Date')!.value).toBe('Tue, 24 Nov 2026 08:30:00 +0000')
  })
})

describe('web answer links (ITIP 30)', () => {
  const links = (who: string) => ({
    ACCEPTED: `https://events.example.com/rsvp/${who}?answer=ACCEPTED`,
    TENTATIVE: `https://events.example.com/rsvp/${who}?answer=TENTATIVE`,
    DECLINED: `https://events.example.com/rsvp/${who}?answer=DECLINED`,
  })

  it('puts Yes, Maybe and No links in both bodies, each recipient their own, with the prepared version shared', async () => {
    const a = await composeInvitationMessage(message({ recipient: { email: 'a@example.org', name: 'A' }, answerUrls: links('tok-a') }))
    const b = await composeInvitationMessage(message({ recipient: { email: 'b@example.org', name: 'B' }, answerUrls: links('tok-b') }))
    const partsA = expectProperInvitation(a, { method: 'REQUEST', recipient: 'a@example.org', uid: launch.uid, sequence: 0 })
    const partsB = expectProperInvitation(b, { method: 'REQUEST', recipient: 'b@example.org', uid: launch.uid, sequence: 0 })
    expect(partsA.text).toContain('Yes:   https://events.example.com/rsvp/tok-a?answer=ACCEPTED')
    expect(partsA.text).toContain('Maybe: https://events.example.com/rsvp/tok-a?answer=TENTATIVE')
    expect(partsA.text).toContain('No:    https://events.example.com/rsvp/tok-a?answer=DECLINED')
    expect(partsB.text).toContain('https://events.example.com/rsvp/tok-b?answer=ACCEPTED')
    expect(partsB.text).not.toContain('tok-a')
    const html = (await parse(b)).html!
    expect(html).toContain('<a href="https://events.example.com/rsvp/tok-b?answer=ACCEPTED">Yes</a>')
    expect(html).toContain('<a href="https://events.example.com/rsvp/tok-b?answer=TENTATIVE">Maybe</a>')
    expect(html).toContain('<a href="https://events.example.com/rsvp/tok-b?answer=DECLINED">No</a>')
  })

  it('leaves them out of a cancellation, and the bodies are as before without them', async () => {
    const cancel = await composeInvitationMessage(message({ event: { ...launch, status: 'CANCELLED', sequence: 1 }, method: 'CANCEL', sequence: 1, update: true, answerUrls: links('tok') }))
    expect((await parse(cancel)).text).not.toContain('/rsvp/')
    const without = await parse(await composeInvitationMessage(message()))
    expect(without.text).not.toMatch(/rsvp\/|Will you come/)
    expect(without.html).not.toMatch(/rsvp\/|Will you come/)
  })
})

describe('prepared versions', () => {
  it('keeps the prepared parts apart for each event version and recipient', async () => {
    const first = await composeInvitationMessage(message({ recipient: { email: 'a@example.org', name: 'A' } }))
    const second = await composeInvitationMessage(message({ recipient: { email: 'b@example.org', name: 'B' }, event: { ...launch, summary: 'Launch moved' }, sequence: 1, update: true }))
    const third = await composeInvitationMessage(message({ recipient: { email: 'c@example.org', name: 'C' } }))
    expect(expectProperInvitation(first, { method: 'REQUEST', recipient: 'a@example.org', uid: launch.uid, sequence: 0 }).subject).toMatch(/^Invitation: Launch <party>/)
    expect(expectProperInvitation(second, { method: 'REQUEST', recipient: 'b@example.org', uid: launch.uid, sequence: 1 }).subject).toMatch(/^Updated invitation: Launch moved/)
    const parts = expectProperInvitation(third, { method: 'REQUEST', recipient: 'c@example.org', uid: launch.uid, sequence: 0 })
    expect(parts.text).toContain('sent to c@example.org')
    expect(parts.text).not.toContain('a@example.org')
  })
})

describe('a deployer’s invitation templates', () => {
  const BRANDED_HTML = [
    '<!doctype html>',
    '<html><body>',
    '<h1 class="brand">{{summary}}</h1>',
    '{{#description}}',
    '<p>{{description}}</p>',
    '{{/description}}',
    '{{#unsubscribeUrl}}',
    '<p><a href="{{unsubscribeUrl}}">Stop these</a></p>',
    '{{/unsubscribeUrl}}',
    '</body></html>',
    '',
  ].join('\n')
  const branded = compileMailTemplates([{ fileName: 'invitation.html', location: 'invitation.html', text: BRANDED_HTML }])
  const scripted = { ...launch, summary: 'Launch <script>alert(1)</script>' }

  it('fill the HTML part from invitation.html, what the organizer wrote escaped; the text part stays as shipped', async () => {
    const raw = await composeInvitationMessage(message({ event: scripted, templates: branded }))
    expectProperInvitation(raw, { method: 'REQUEST', recipient: 'bob@example.org', uid: launch.uid, sequence: 0, unsubscribe: true })
    const parsed = await parse(raw)
    expect(parsed.html).toBe(
      [
        '<!doctype html>',
        '<html><body>',
        '<h1 class="brand">Launch &lt;script&gt;alert(1)&lt;/script&gt;</h1>',
        '<p>Bring &lt;b&gt;snacks&lt;/b&gt;,<br>',
        'and friends; all welcome.</p>',
        `<p><a href="${UNSUBSCRIBE}">Stop these</a></p>`,
        '</body></html>',
        '',
        // postal-mime keeps the line break before the next boundary.
        '',
      ].join('\n'),
    )
    expect(parsed.text).toContain('Olga Ørganizer invites you to "Launch <script>alert(1)</script>".')
    const shipped = await parse(await composeInvitationMessage(message({ event: scripted })))
    expect(parsed.text).toBe(shipped.text)
    expect(shipped.html).toContain('<p>Olga Ørganizer invites you to &quot;Launch &lt;script&gt;alert(1)&lt;/script&gt;&quot;.</p>')
  })

  it('fill the subject and the text part from invitation.txt, unescaped, the subject on one line', async () => {
    const templates = compileMailTemplates([
      { fileName: 'invitation.txt', location: 'invitation.txt', text: '{{#cancelled}}Off{{/cancelled}}{{^cancelled}}You are invited{{/cancelled}}: {{summary}}\nDear {{attendeeName}}{{^attendeeName}}guest{{/attendeeName}},\n{{summary}} is on {{when}}.\n' },
    ])
    const parsed = await parse(await composeInvitationMessage(message({ event: { ...scripted, summary: 'Launch <b>&\r\nBcc: x@example.org' }, templates })))
    expect(parsed.subject).toBe('You are invited: Launch <b>& Bcc: x@example.org')
    expect(parsed.text).toBe('Dear Bob Builder,\nLaunch <b>& Bcc: x@example.org is on Saturday, 1 May 2027 at 18:00 – 20:00 (Europe/Berlin).\n\n')
    const cancelled = await parse(await composeInvitationMessage(message({ method: 'CANCEL', recipient: { email: 'ann@example.org', name: null }, templates })))
    expect(cancelled.subject).toBe('Off: Launch <party> & "friends"')
    expect(cancelled.text).toMatch(/^Dear guest,/)
  })

  it('may differ from one message to the next for the same prepared event version', async () => {
    const first = await parse(await composeInvitationMessage(message({ templates: branded })))
    const second = await parse(await composeInvitationMessage(message()))
    expect(first.html).toContain('<h1 class="brand">')
    expect(second.html).not.toContain('<h1 class="brand">')
    expect(second.html).toContain('<table>')
  })
})
