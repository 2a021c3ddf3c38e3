import { describe, it, expect } from 'vitest'
import { buildVtimezone, offsetMinutes } from '../../../../../server/domain/invite/vtimezone'

/**
 * A small reader of the VTIMEZONE shapes the builder writes (DTSTART + optional yearly
 * RRULE with BYMONTH and BYDAY=nXX / -1XX, or BYMONTHDAY list + BYDAY): the offset it says
 * is in force at an instant. Compared against Intl, which the calendar clients' own zone
 * data agrees with.
 */
function readVtimezone(lines: string[]): (at: number) => number {
  const parseOffset = (v: string) => (v.startsWith('-') ? -1 : 1) * (Number(v.slice(1, 3)) * 60 + Number(v.slice(3, 5)))
  const days = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA']
  const onsets: { at: number; to: number }[] = []
  let current: Record<string, string> | null = null
  for (const line of lines) {
    if (/^BEGIN:(STANDARD|DAYLIGHT)$/.test(line)) current = {}
    else if (/^END:(STANDARD|DAYLIGHT)$/.test(line)) {
      const c = current!
      current = null
      const from = parseOffset(c.TZOFFSETFROM!)
      const to = parseOffset(c.TZOFFSETTO!)
      const d = c.DTSTART!
      const [y, mo, da, h, mi, s] = [d.slice(0, 4), d.slice(4, 6), d.slice(6, 8), d.slice(9, 11), d.slice(11, 13), d.slice(13, 15)].map(Number) as number[]
      const wall = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day, h!, mi!, s!) - from * 60_000
      if (!c.RRULE) {
        onsets.push({ at: wall(y!, mo!, da!), to })
        continue
      }
      const rule = Object.fromEntries(c.RRULE.split(';').map((p) => p.split('=')))
      const month = Number(rule.BYMONTH)
      const byday = /^(-?\d)?(\w\w)$/.exec(rule.BYDAY)!
      const weekday = days.indexOf(byday[2]!)
      for (let year = y!; year <= y! + 40; year++) {
        const candidates = Array.from({ length: 31 }, (_, i) => i + 1).filter(
          (day) => new Date(Date.UTC(year, month - 1, day)).getUTCMonth() === month - 1 && new Date(Date.UTC(year, month - 1, day)).getUTCDay() === weekday,
        )
        let day: number
        if (rule.BYMONTHDAY) day = candidates.find((c) => rule.BYMONTHDAY.split(',').map(Number).includes(c))!
        else if (byday[1] === '-1') day = candidates.at(-1)!
        else day = candidates[Number(byday[1]) - 1]!
        onsets.push({ at: wall(year, month, day), to })
      }
    } else if (current) {
      const colon = line.indexOf(':')
      current[line.slice(0, colon)] = line.slice(colon + 1)
    }
  }
  onsets.sort((a, b) => a.at - b.at)
  return (at) => {
    const last = onsets.filter((o) => o.at <= at).at(-1)
    expect(last, `an observance is in force at ${new Date(at).toISOString()}`).toBeDefined()
    return last!.to
  }
}

const DAY = 86_400_000

function expectSameOffsets(zone: string, from: string, through: string, checkUntil: string) {
  const lines = buildVtimezone(zone, Date.parse(from), Date.parse(through))!
  expect(lines[0]).toBe('BEGIN:VTIMEZONE')
  expect(lines[1]).toBe(`TZID:${zone}`)
  expect(lines.at(-1)).toBe('END:VTIMEZONE')
  const offsetAt = readVtimezone(lines)
  const mismatches: string[] = []
  // Every 6 hours: transitions happen at night, and no two are that close.
  for (let t = Date.parse(from); t <= Date.parse(checkUntil); t += DAY / 4) {
    const expected = offsetMinutes(zone, t)
    const said = offsetAt(t)
    if (expected !== said) mismatches.push(`${new Date(t).toISOString()}: Intl ${expected}, VTIMEZONE ${said}`)
  }
  expect(mismatches.slice(0, 5)).toEqual([])
  return lines
}

describe('buildVtimezone', () => {
  it.each([
    ['Europe/Berlin', '2027-03-15T09:00:00Z', '2027-03-15T09:00:00Z', '2040-12-31T00:00:00Z'],
    ['America/New_York', '2026-11-01T15:00:00Z', '2027-06-01T15:00:00Z', '2040-12-31T00:00:00Z'],
    ['Australia/Sydney', '2027-01-10T00:00:00Z', '2027-01-10T00:00:00Z', '2040-12-31T00:00:00Z'],
    ['Australia/Lord_Howe', '2027-01-10T00:00:00Z', '2027-01-10T00:00:00Z', '2035-12-31T00:00:00Z'],
    ['Pacific/Chatham', '2027-01-10T00:00:00Z', '2027-01-10T00:00:00Z', '2035-12-31T00:00:00Z'],
    ['Asia/Jerusalem', '2027-01-10T00:00:00Z', '2027-01-10T00:00:00Z', '2035-12-31T00:00:00Z'],
    ['Europe/Dublin', '2027-01-10T00:00:00Z', '2027-01-10T00:00:00Z', '2035-12-31T00:00:00Z'],
  ])('states %s with a yearly rule that matches the zone for years on', (zone, from, through, until) => {
    const lines = expectSameOffsets(zone, from, through, until)
    expect(lines.filter((l) => l.startsWith('RRULE:'))).toHaveLength(2)
    expect(lines.filter((l) => /^BEGIN:(STANDARD|DAYLIGHT)$/.test(l))).toHaveLength(2)
  })

  it('gives a zone without daylight saving one STANDARD observance', () => {
    const lines = expectSameOffsets('Asia/Kolkata', '2027-01-10T00:00:00Z', '2027-01-10T00:00:00Z', '2040-01-01T00:00:00Z')
    expect(lines).toEqual(['BEGIN:VTIMEZONE', 'TZID:Asia/Kolkata', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0530', 'TZOFFSETTO:+0530', 'END:STANDARD', 'END:VTIMEZONE'])
  })

  it('writes single onsets for years a zone changed its rules (Brazil ended daylight saving in 2019)', () => {
    const lines = expectSameOffsets('America/Sao_Paulo', '2018-06-01T12:00:00Z', '2019-06-01T12:00:00Z', '2030-01-01T00:00:00Z')
    expect(lines.some((l) => l.startsWith('RRULE:'))).toBe(false)
  })

  it('follows an irregular zone over the years the event uses (Morocco pauses for Ramadan)', () => {
    expectSameOffsets('Africa/Casablanca', '2027-01-10T00:00:00Z', '2028-06-01T00:00:00Z', '2028-06-01T00:00:00Z')
  })

  // Egypt kept no daylight saving from 2015 until April 2023: a 2022 series' VTIMEZONE
  // must say what is in force before that first change (before: the first onset was 2023).
  it.each([
    ['Africa/Cairo', '2022-03-01T08:00:00Z', '2024-06-01T08:00:00Z'],
    ['Europe/Moscow', '2011-06-01T08:00:00Z', '2015-06-01T08:00:00Z'],
    ['America/Nuuk', '2022-01-10T12:00:00Z', '2025-06-01T12:00:00Z'],
  ])('covers the first time of a series in %s when the zone changed nothing in the year before it', (zone, from, through) => {
    expectSameOffsets(zone, from, through, through)
  })

  it('knows no made-up zone', () => {
    expect(buildVtimezone('Mars/Olympus_Mons', Date.parse('2027-01-01T00:00:00Z'))).toBeNull()
    expect(buildVtimezone('+01:00', Date.parse('2027-01-01T00:00:00Z'))).toBeNull()
  })

  it('states the rule from the year before the first time, as the RFC wants an onset before it', () => {
    const lines = buildVtimezone('Europe/Berlin', Date.parse('2027-01-04T09:00:00Z'))!
    expect(lines).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Berlin',
      'BEGIN:DAYLIGHT',
      'DTSTART:20260329T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'TZNAME:CEST',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'DTSTART:20261025T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'TZNAME:CET',
      'END:STANDARD',
      'END:VTIMEZONE',
    ])
  })
})
