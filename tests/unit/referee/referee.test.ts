import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { corpusFiles, corpusPath, fixturePath, hasCorpus } from '../../corpus'
import { refereeAvailable, refereeOccurrences, type RefereeResult } from '../../support/referee'

const unavailable = refereeAvailable()
if (unavailable) console.warn(`[referee] ${unavailable}: the referee's own tests are skipped.`)

const ics = (name: string) => corpusPath(`ics/${name}`)
async function one(file: string, window: { from?: string; to?: string } = {}): Promise<RefereeResult | undefined> {
  return (await refereeOccurrences([{ path: file, ...window }]))[file]
}

describe.skipIf(unavailable !== null)('referee: time zones', () => {
  const america = fixturePath('referee/eastern-america.ics')
  const europe = fixturePath('referee/eastern-europe.ics')
  let scratch = ''
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'cis-referee-'))
  })
  afterAll(() => rm(scratch, { recursive: true, force: true }))

  // Both files define TZID "Eastern": icalendar would reuse the first file's rules for the second.
  it.each([
    ['America first', [america, europe]],
    ['Europe first', [europe, america]],
  ])('reads each file with its own VTIMEZONE when two share a TZID (%s)', async (_order, paths) => {
    const results = await refereeOccurrences(paths.map((p) => ({ path: p })))
    expect(results[america]).toEqual({
      ok: true,
      events: [{ uid: 'referee-eastern-america@example.com', occurrences: [{ start: '2024-07-10T13:00:00Z', end: '2024-07-10T14:00:00Z', recurrenceId: null }] }],
    })
    expect(results[europe]).toEqual({
      ok: true,
      events: [{ uid: 'referee-eastern-europe@example.com', occurrences: [{ start: '2024-07-10T06:00:00Z', end: '2024-07-10T07:00:00Z', recurrenceId: null }] }],
    })
  })

  it('reads each VCALENDAR of a concatenated file with its own VTIMEZONE', async () => {
    const both = path.join(scratch, 'both.ics')
    await writeFile(both, Buffer.concat([await readFile(america), await readFile(europe)]))
    const result = await one(both)
    expect(result?.ok && result.events.map((e) => [e.uid, e.occurrences.map((o) => o.start)])).toEqual([
      ['referee-eastern-america@example.com', ['2024-07-10T13:00:00Z']],
      ['referee-eastern-europe@example.com', ['2024-07-10T06:00:00Z']],
    ])
  })

  it('reports a file it cannot open and still reads the others', async () => {
    const missing = path.join(scratch, 'absent.ics')
    const results = await refereeOccurrences([{ path: missing }, { path: america }])
    expect(results[missing]).toEqual({ ok: false, error: expect.stringMatching(/^FileNotFoundError: /) })
    expect(results[america]?.ok).toBe(true)
  })
})

describe.skipIf(unavailable !== null || !hasCorpus)('referee: real-world calendars', () => {
  it('gives a zone known only from its VTIMEZONE in UTC (Lotus Notes "Central European", +02:00 in April)', async () => {
    expect(await one(ics('lotus-notes__horde__test_recurring.ics'))).toEqual({
      ok: true,
      events: [
        {
          uid: '59A47452891243FCC1256E78002B082C-Lotus_Notes_Generated',
          occurrences: [{ start: '2004-04-17T09:00:00Z', end: '2004-04-17T09:30:00Z', recurrenceId: null }],
        },
      ],
    })
  })

  it('gives an Exchange CDO meeting in a "(GMT-05.00) Eastern Time" zone at 17:00Z', async () => {
    const result = await one(ics('exchange-cdo__horde__meeting.ics'))
    expect(result?.ok && result.events[0]?.occurrences).toEqual([
      { start: '2006-06-05T17:00:00Z', end: '2006-06-05T18:00:00Z', recurrenceId: null, status: 'CONFIRMED' },
    ])
  })

  it('gives an all-day event as dates', async () => {
    const result = await one(ics('blackberry__icalendar__bis-request.ics'))
    expect(result?.ok && result.events[0]?.occurrences).toEqual([{ start: '2012-08-14', end: '2012-08-15', recurrenceId: null }])
  })

  it('lists a cancelled override with its status', async () => {
    const result = await one(ics('lightning__rie__cancelled-instance.ics'))
    expect(result?.ok && result.events[0]?.occurrences).toEqual([
      { start: '2020-01-28T21:00:00Z', end: '2020-01-28T22:00:00Z', recurrenceId: null },
      { start: '2020-01-29T21:00:00Z', end: '2020-01-29T22:00:00Z', recurrenceId: '2020-01-29T21:00:00Z', status: 'CANCELLED' },
      { start: '2020-01-30T21:00:00Z', end: '2020-01-30T22:00:00Z', recurrenceId: null },
    ])
  })

  it('puts a moved occurrence at its new time, and an unbounded series stops two years after it starts', async () => {
    const result = await one(ics('google__rie__moved-instance.ics'))
    const starts = result?.ok ? (result.events[0]?.occurrences ?? []) : []
    expect(starts).toHaveLength(25)
    expect(starts.at(-1)?.start).toBe('2023-11-24T20:30:00Z')
    expect(starts.slice(0, 3)).toEqual([
      { start: '2021-11-26T20:30:00Z', end: '2021-11-26T20:30:00Z', recurrenceId: null, status: 'CONFIRMED' },
      { start: '2021-12-17T20:30:00Z', end: '2021-12-17T20:30:00Z', recurrenceId: '2021-12-31T20:30:00Z', status: 'CONFIRMED' },
      { start: '2022-01-28T20:30:00Z', end: '2022-01-28T20:30:00Z', recurrenceId: null, status: 'CONFIRMED' },
    ])
  })

  it('keeps to a window given as days, both included', async () => {
    const result = await one(ics('google__rie__moved-instance.ics'), { from: '2022-02-25', to: '2022-04-29' })
    expect(result?.ok && result.events[0]?.occurrences.map((o) => o.start)).toEqual([
      '2022-02-25T20:30:00Z',
      '2022-03-25T20:30:00Z',
      '2022-04-29T19:30:00Z',
    ])
  })

  it('reports RRULE + PERIOD RDATE + EXDATE + overrides as an error (icalendar 4 + dateutil cannot sort a PERIOD RDATE)', async () => {
    expect(await one(ics('zimbra__icaljs__recur-instances.ics'))).toEqual({
      ok: false,
      error: expect.stringContaining("TypeError: '<' not supported between instances of 'tuple' and 'datetime.datetime'"),
    })
  })

  // What the referee cannot read in the corpus, and why; every other file gives occurrences.
  const unreadable: Record<string, RegExp> = {
    'davmail__icalendar__freebusy-reply.ics': /^ValueError: Expected period format/,
    'exchange-cdo__icalendar__no-uid-byday-spaces.ics': /^icalendar could not read RRULE of VEVENT: Error in recurrence rule/,
    'exchange__ics-parser__broken-description-zoom.ics': /^KeyError: 'DTSTART'/,
    'exchange__node-ical__ms_timezones.ics': /^TypeError: unsupported operand type\(s\) for \+: 'NoneType' and 'int' \(in icalendar\/parser.py parts/,
    'mixed__ics-parser__ICal-example.ics': /^ValueError: Start time is greater than end time/,
    'mixed__node-ical__tzone-microsoft-custom.ics': /^icalendar could not read DURATION of VEVENT .*: Invalid iCalendar duration: -PT1W1D2H3M4S/,
    'rfc__libical__2446-all-examples.ics': /^ValueError: Expected period format, got: 19970701T090000Z\/PT1H/,
    'rfc__libical__incoming-sequence.ics': /^icalendar could not read DTEND of VEVENT .*: Wrong datetime format: 19970701T10300Z/,
    'zimbra__icaljs__recur-instances.ics': /^TypeError: '<' not supported/,
  }

  it('reads every corpus .ics in one run; only the known ones fail, each with its reason', async () => {
    const names = corpusFiles('ics').filter((name) => name.endsWith('.ics'))
    const results = await refereeOccurrences(names.map((name) => ({ path: ics(name) })))
    const failures = Object.fromEntries(
      names.flatMap((name) => {
        const result = results[ics(name)]
        return result?.ok ? [] : [[name, result?.error ?? 'no result']]
      }),
    )
    expect(Object.keys(failures).sort()).toEqual(Object.keys(unreadable).sort())
    for (const [name, reason] of Object.entries(unreadable)) expect(failures[name], name).toMatch(reason)
  }, 30_000)
})
