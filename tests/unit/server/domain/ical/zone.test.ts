/**
 * zone.ts against real VTIMEZONEs: each one, evaluated by its own rules, gives the offsets
 * the IANA zone it describes has (ICU's data, an independent source) on every day of the
 * years it covers; wall-clock times in gaps and folds read as RFC 5545 §3.3.5 says.
 */
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { keepSchedulingProperties } from '../../../../../server/domain/ical/read-calendar'
import { ianaZone, instantOf, isoInstant, resolveZone, wallClockIn, type WallClock } from '../../../../../server/domain/ical/zone'
import { readMail } from '../../../../../server/domain/mail/read-mail'
import { corpusFile, fixturePath, hasCorpus } from '../../../../corpus'

const DAY = 86_400_000
const wall = (iso: string): WallClock => {
  const [date, time] = iso.split('T')
  const [year, month, day] = date!.split('-').map(Number)
  const [hour, minute, second] = time!.split(':').map(Number)
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! }
}

async function vtimezonesOf(source: string) {
  const text = source.startsWith('fixture:')
    ? readFileSync(fixturePath(`ical/${source.slice(8)}`), 'utf8')
    : source.startsWith('eml/')
      ? (await readMail(corpusFile(source))).calendars[0]!.text
      : corpusFile(source).toString('utf8')
  return keepSchedulingProperties(text).vtimezones
}

/** Days (at 12:00 UTC, and at the hour before and after each change) where the two zones' offsets differ. */
function differences(a: { offsetAt(ms: number): number }, b: { offsetAt(ms: number): number }, fromYear: number, toYear: number) {
  const found: string[] = []
  for (let ms = Date.UTC(fromYear, 0, 1, 12); ms < Date.UTC(toYear + 1, 0, 1); ms += DAY) {
    for (const at of [ms - 11 * 3_600_000, ms, ms + 11 * 3_600_000]) {
      if (a.offsetAt(at) !== b.offsetAt(at)) found.push(`${isoInstant(at)}: ${a.offsetAt(at)} vs ${b.offsetAt(at)}`)
    }
  }
  return found.slice(0, 5)
}

describe.skipIf(!hasCorpus)('real VTIMEZONEs give the offsets of the zone they describe', () => {
  it.each([
    ['Yahoo: Europe/Brussels with 88 RDATEs', 'eml/yahoo__james__yahooInvitation.eml', 'Europe/Brussels', 'Europe/Brussels', 1980, 2030],
    ['Yahoo: Europe/London with 144 RDATEs', 'ics/yahoo__ical4j__yahoo1.ics', 'Europe/London', 'Europe/London', 1997, 2030],
    ['Google: Europe/Tallinn', 'eml/google__postal-mime__calendar-event.eml', 'Europe/Tallinn', 'Europe/Tallinn', 2003, 2030],
    ['Outlook 1601-based: FLE Standard Time', 'eml/o365__tb__teams-meeting-invite.eml', 'FLE Standard Time', 'Europe/Helsinki', 2000, 2030],
    ['Exchange 2010: Pacific Standard Time, both observances from 1601', 'ics/exchange__icalendar__pacific-standard-time.ics', 'Pacific Standard Time', 'America/Los_Angeles', 2007, 2030],
    ['Lotus Notes: Eastern', 'fixture:lotus-notes-eastern-short-tzid.ics', 'Eastern', 'America/New_York', 2007, 2030],
    ['Exchange CDO: (GMT+01.00) Sarajevo/Warsaw/Zagreb from 1601', 'fixture:cdo-sarajevo-1601.ics', '(GMT+01.00) Sarajevo/Warsaw/Zagreb', 'Europe/Warsaw', 1997, 2030],
    ['Apple: America/New_York', 'fixture:apple-dst-gap-series.ics', 'America/New_York', 'America/New_York', 2007, 2030],
  ])('%s', async (_, source, tzid, iana, fromYear, toYear) => {
    const vtimezones = await vtimezonesOf(source)
    const zone = resolveZone(tzid, vtimezones)
    expect(zone.source).toBe('vtimezone')
    expect(differences(zone, ianaZone(iana), fromYear, toYear)).toEqual([])
  })
})

describe('wall-clock times to instants (RFC 5545 §3.3.5)', () => {
  const newYork = ianaZone('America/New_York')

  it('reads a time in a spring-forward gap with the offset from before the gap', () => {
    expect(isoInstant(instantOf(wall('2026-03-08T02:30:00'), newYork))).toBe('2026-03-08T07:30:00Z')
  })

  it('reads a time in an autumn fold as its first occurrence', () => {
    expect(isoInstant(instantOf(wall('2026-11-01T01:30:00'), newYork))).toBe('2026-11-01T05:30:00Z')
  })

  it('reads the same in a zone defined only by a VTIMEZONE', async () => {
    const eastern = resolveZone('Eastern', await vtimezonesOf('fixture:lotus-notes-eastern-short-tzid.ics'))
    expect(isoInstant(instantOf(wall('2026-03-08T02:30:00'), eastern))).toBe('2026-03-08T07:30:00Z')
    expect(isoInstant(instantOf(wall('2026-11-01T01:30:00'), eastern))).toBe('2026-11-01T05:30:00Z')
    expect(wallClockIn(Date.parse('2026-07-01T16:00:00Z'), eastern)).toEqual(wall('2026-07-01T12:00:00'))
  })

  it('uses the first observance\'s TZOFFSETFROM before any onset (a Lotus zone from 1950, read in 1949)', async () => {
    const eastern = resolveZone('Eastern', await vtimezonesOf('fixture:lotus-notes-eastern-short-tzid.ics'))
    expect(eastern.offsetAt(Date.UTC(1949, 0, 1))).toBe(-300)
  })

  it('refuses an observance that would change the clock every second since 1601, at once (a message is untrusted)', () => {
    const hostile = new Map([['Hostile', ['BEGIN:VTIMEZONE', 'TZID:Hostile', 'BEGIN:STANDARD', 'DTSTART:16010101T000000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=SECONDLY', 'END:STANDARD', 'END:VTIMEZONE', ''].join('\r\n')]])
    // Before, this never returned (the test timed out).
    const zone = resolveZone('Hostile', hostile)
    expect(zone.offsetAt(Date.UTC(2026, 0, 1))).toBe(0)
    expect(zone.source).toBe('unknown')
  })

  it("puts the message's VTIMEZONE before the name's own rules, and keeps zones of different texts apart", () => {
    const shifted = (offset: string) =>
      new Map([['Europe/Berlin', ['BEGIN:VTIMEZONE', 'TZID:Europe/Berlin', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`, 'END:STANDARD', 'END:VTIMEZONE', ''].join('\r\n')]])
    expect(resolveZone('Europe/Berlin', shifted('+0300')).offsetAt(Date.UTC(2026, 0, 1))).toBe(180)
    expect(resolveZone('Europe/Berlin', shifted('+0400')).offsetAt(Date.UTC(2026, 0, 1))).toBe(240)
    expect(resolveZone('Europe/Berlin', new Map()).offsetAt(Date.UTC(2026, 0, 1))).toBe(60)
  })
})
