/**
 * Deliver 4 of the reading issue: for every calendar in the corpus and in tests/fixtures/ical
 * that the server stores as a series, the occurrences it would keep (start and end instants
 * over the series' span, at most two years) equal those an independent parser computes from
 * the original file (python icalendar + recurring-ical-events, tests/referee).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readMail } from '../../../../server/domain/mail/read-mail'
import { readFirstCalendar } from '../../../../server/domain/ical/read-calendar'
import { occurrencesOf } from '../../../../server/domain/ical/occurrences'
import { decideOrganizerMessage, type Policy } from '../../../../server/domain/itip/rules'
import { NotSchedulingMessage } from '../../../../server/domain/scheduling'
import type { EventState } from '../../../../server/domain/itip/event-state'
import { corpusFiles, corpusPath, fixturePath, hasCorpus } from '../../../corpus'
import { refereeAvailable, refereeOccurrences, type RefereeResult } from '../../../support/referee'

const policy: Policy = { requireVerifiedSender: false, allowedOrganizerDomains: [], serverAddresses: [] }
const DAY = 86_400_000
const TWO_YEARS = 730 * DAY

/**
 * Files the referee reads wrongly or not at all, and why. Each is still read by both; the
 * test checks that they really disagree, so an entry cannot outlive its reason. The
 * fixtures among them are checked against hand-computed instants (expected.json) instead.
 */
const refereeWrong: Record<string, string> = {
  'eml/notes__tb__invite-no-method-no-organizer.eml':
    'TZID "FLE" has no VTIMEZONE: python icalendar reads it as floating; the server reads Lotus Notes\' name as Windows "FLE Standard Time" (Europe/Kiev).',
  'eml/generic__libical__complex-mime.eml':
    'DTEND:199706211T173000Z has a digit too many: icalendar refuses the file; the server ignores that DTEND, with a warning, and keeps the event.',
  'fixtures/ical/cdo-sarajevo-1601.ics':
    "dateutil compares UNTIL with occurrences in DTSTART's offset (icalendar 4's pytz-style zones), so the last occurrence after the DST change, exactly at UNTIL, is dropped; RFC 5545 §3.3.10 makes it the last instance.",
  'fixtures/ical/exchange-allday-datetime-recurrence-id.ics':
    "an all-day series' UNTIL given as Exchange's UTC instant of the last day's local midnight is compared as the UTC date, one day early (ITIP.md 26: it means that local date).",
  'fixtures/ical/lotus-notes-eastern-short-tzid.ics': 'dateutil cannot sort PERIOD-valued RDATEs (TypeError between datetime and tuple).',
}

interface Case {
  name: string
  /** The calendar text the server read, as a file the referee can open. */
  path: string
  event: EventState
}

const calendarFolder = mkdtempSync(join(tmpdir(), 'cis-referee-'))
const fixtureFolder = fixturePath('ical')
const sources = [
  ...corpusFiles('eml').map((f) => ({ name: `eml/${f}`, path: corpusPath(`eml/${f}`) })),
  ...corpusFiles('ics').map((f) => ({ name: `ics/${f}`, path: corpusPath(`ics/${f}`) })),
  ...(existsSync(fixtureFolder) ? readdirSync(fixtureFolder).filter((f) => /\.(ics|eml)$/.test(f)) : []).map((f) => ({
    name: `fixtures/ical/${f}`,
    path: join(fixtureFolder, f),
  })),
]

/** What the server would store for a file: the series it creates, or null when it creates none. */
async function storedSeries(source: { name: string; path: string }): Promise<Case | null> {
  const { readFileSync } = await import('node:fs')
  const bytes = readFileSync(source.path)
  const isMail = source.name.endsWith('.eml')
  const parts = isMail ? (await readMail(bytes)).calendars : [{ text: bytes.toString('utf8'), contentTypeMethod: null }]
  let message
  try {
    message = readFirstCalendar(parts)
  } catch (error) {
    if (error instanceof NotSchedulingMessage) return null
    throw error
  }
  if (message.method !== 'REQUEST' || !message.master?.organizer) return null
  const decision = decideOrganizerMessage(message, null, { email: message.master.organizer.email, verified: true }, policy)
  if (!('event' in decision)) return null
  let path = source.path
  if (isMail) {
    path = join(calendarFolder, source.name.replace(/\W+/g, '_') + '.ics')
    writeFileSync(path, parts[0]!.text)
  }
  return { name: source.name, path, event: decision.event }
}

/** Referee times as the server writes them: floating times were placed as UTC. */
const asServer = (time: string) => (time.length === 19 ? `${time}Z` : time)

function windowOf(event: EventState) {
  const start = Date.parse(event.allDay ? `${event.start}T00:00:00Z` : event.start)
  return { from: new Date(start - DAY).toISOString().slice(0, 10), to: new Date(start + TWO_YEARS).toISOString().slice(0, 10) }
}

/** Both sides' occurrences inside the window, a day clear of its edges (days are zoned differently). */
function inside(list: { start: string; end: string }[], window: { from: string; to: string }) {
  const from = Date.parse(`${window.from}T00:00:00Z`) + DAY
  const to = Date.parse(`${window.to}T00:00:00Z`) - DAY
  return list
    .filter((o) => {
      const at = Date.parse(o.start.length === 10 ? `${o.start}T00:00:00Z` : o.start)
      return at >= from && at <= to
    })
    .map((o) => `${o.start} → ${o.end}`)
}

const missing = refereeAvailable()

describe.skipIf(Boolean(missing))(`occurrences as an independent parser computes them${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const cases: Case[] = []
  let verdicts: Record<string, RefereeResult> = {}

  beforeAll(async () => {
    for (const source of sources) {
      const found = await storedSeries(source)
      if (found) cases.push(found)
    }
    verdicts = await refereeOccurrences(cases.map((c) => ({ path: c.path, ...windowOf(c.event) })))
  }, 120_000)

  it.skipIf(!hasCorpus)('covers the corpus calendars the server stores', () => {
    expect(cases.filter((c) => !c.name.startsWith('fixtures/')).length).toBeGreaterThan(15)
  })

  it('stores, for every calendar, the occurrences the referee computes', () => {
    const disagreements: string[] = []
    for (const { name, path, event } of cases) {
      const verdict = verdicts[path]!
      const window = windowOf(event)
      const ours = inside(
        occurrencesOf(event, window.from, window.to).filter((o) => o.status !== 'CANCELLED'),
        window,
      )
      if (!verdict.ok) {
        if (!(name in refereeWrong)) disagreements.push(`${name}: the referee could not read it (${verdict.error})`)
        continue
      }
      const theirs = inside(
        verdict.events
          .filter((e) => e.uid === event.uid)
          .flatMap((e) => e.occurrences)
          .filter((o) => o.status !== 'CANCELLED')
          .map((o) => ({ start: asServer(o.start), end: asServer(o.end) })),
        window,
      ).sort()
      const agree = JSON.stringify(ours.sort()) === JSON.stringify(theirs)
      if (name in refereeWrong) {
        if (agree) disagreements.push(`${name}: listed as one the referee gets wrong, but it agrees; remove it from refereeWrong`)
      } else if (!agree) {
        disagreements.push(`${name}:\n  server  ${ours.join('\n          ')}\n  referee ${theirs.join('\n          ')}`)
      }
    }
    expect(disagreements).toEqual([])
  })
})
