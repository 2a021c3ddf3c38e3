import { describe, it, expect } from 'vitest'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { corpusPath, fixturePath, hasCorpus } from '../../../corpus'
import { previewInvite } from '../../../../server/cli/preview-invite'
import { shippedMailTemplates } from '../../../../server/templates/mail'
import { inspectFile } from '../../../../server/cli/inspect-file'
import { expectProperInvitation } from '../../../support/invitation-mime'
import { icaljsList } from '../../../support/icaljs-occurrences'
import { readMail } from '../../../../server/domain/mail/read-mail'
import { readCalendar } from '../../../../server/domain/ical/read-calendar'

// `cis preview-invite` run as a command: tests/integration/cli/preview-invite.test.ts.
describe('preview-invite', () => {
  // What Thunderbird shows: ical.js expands the preview's calendar and the organizer's own
  // into the same occurrences (two years at most).
  it.skipIf(!hasCorpus).each([
    ['a recurring Google series with an override', 'eml/google__tb__exception-minor.eml', 'eml/google__tb__repeat-event.eml'],
    ['a zoned Zimbra series with RDATEs, an EXDATE and an override', 'fixtures/ical/zimbra-rdate-override.ics', null],
    ['an Exchange CDO series in a zone only its VTIMEZONE names', 'fixtures/ical/cdo-sarajevo-1601.ics', null],
    ['an all-day Exchange series with a moved day and an EXDATE', 'fixtures/ical/exchange-allday-datetime-recurrence-id.ics', null],
    ['an Outlook (Teams) invitation', 'eml/o365__tb__teams-meeting-invite.eml', null],
  ])('previews %s with the occurrences of the original, as ical.js reads both', async (_, file, series) => {
    const name = file!.startsWith('fixtures/') ? fixturePath(file!.slice('fixtures/'.length)) : corpusPath(file!)
    // An override-only REQUEST previews the series it belongs to: the series file is the original then.
    const source = series ? corpusPath(series) : name
    const bytes = await readFile(source)
    const raw = await previewInvite(source, bytes, { to: 'bob@example.org', organizerMailbox: 'rsvp@events.example.com', siteUrl: 'https://events.example.com', templates: shippedMailTemplates })
    const { uid, sequence } = await inspectFile(source, bytes)
    const sent = expectProperInvitation(raw, { method: 'REQUEST', recipient: 'bob@example.org', uid, sequence, unsubscribe: true }).calendar
    const original = source.endsWith('.eml') ? (await readMail(bytes)).calendars[0]!.text : bytes.toString('utf8')
    const first = readCalendar(original).master!.start!.slice(0, 10)
    const last = `${Number(first.slice(0, 4)) + 2}${first.slice(4)}`
    // ical.js misreads Exchange's DATE-TIME EXDATE, RECURRENCE-ID and UNTIL on an all-day
    // series (they mean their local dates): for that file the hand-computed dates decide.
    const handComputed = file!.startsWith('fixtures/') ? (JSON.parse(await readFile(fixturePath('ical/expected.json'), 'utf8')) as Record<string, { occurrences: unknown }>)[path.basename(file!)] : undefined
    const theirs = file!.includes('exchange-allday') ? handComputed!.occurrences : icaljsList(original, uid, first, last)
    expect(theirs).not.toEqual([])
    expect(icaljsList(sent, uid, first, last)).toEqual(theirs)
  }, 30_000)
})
