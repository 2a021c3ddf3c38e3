/**
 * Deliver 4 of the reading issue: for every event of every calendar in the corpus and in
 * tests/fixtures/ical (published calendars, files of many events and streams of messages
 * included, each event read as its organizer's REQUEST), the occurrences the server would
 * keep (start and end instants over the series' span, at most two years) equal those an
 * independent parser computes from the same calendar (python icalendar +
 * recurring-ical-events, tests/referee).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { occurrencesOf } from '../../../../../server/domain/ical/occurrences'
import { hasCorpus } from '../../../../corpus'
import { asServer, inside, refereeWrongFor, sources, storedSeries, windowOf, type Case } from '../../../../support/calendar-cases'
import { refereeAvailable, refereeOccurrences, type RefereeResult } from '../../../../support/referee'

const missing = refereeAvailable()

describe.skipIf(Boolean(missing))(`occurrences as an independent parser computes them${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const cases: Case[] = []
  let verdicts: Record<string, RefereeResult> = {}

  beforeAll(async () => {
    for (const source of sources) {
      cases.push(...(await storedSeries(source)))
    }
    verdicts = await refereeOccurrences(cases.map((c) => ({ path: c.path, ...windowOf(c.event) })))
  }, 120_000)

  it.skipIf(!hasCorpus)('covers the corpus: every file with an event the server can store', () => {
    const corpus = new Set(cases.filter((c) => !c.name.startsWith('fixtures/')).map((c) => c.name.split(' ')[0]))
    expect(corpus.size).toBeGreaterThan(45)
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
        if (!refereeWrongFor(name)) disagreements.push(`${name}: the referee could not read it (${verdict.error})`)
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
      if (refereeWrongFor(name)) {
        if (agree) disagreements.push(`${name}: listed as one the referee gets wrong, but it agrees; remove it from refereeWrong`)
      } else if (!agree) {
        const onlyOurs = ours.filter((o) => !theirs.includes(o))
        const onlyTheirs = theirs.filter((o) => !ours.includes(o))
        disagreements.push(`${name}: only the server ${onlyOurs.slice(0, 4).join(', ') || '-'}${onlyOurs.length > 4 ? ` (+${onlyOurs.length - 4})` : ''}; only the referee ${onlyTheirs.slice(0, 4).join(', ') || '-'}${onlyTheirs.length > 4 ? ` (+${onlyTheirs.length - 4})` : ''}`)
      }
    }
    expect(disagreements).toEqual([])
  })
})
