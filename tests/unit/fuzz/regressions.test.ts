// Every input the fuzzer found a bug with ends, through every target, with an outcome or a clear reason.
import { describe, expect, it } from 'vitest'
import { regressionInputs } from '../../fuzz/regressions'
import { runInput } from '../../fuzz/targets'

const expected: Record<string, string> = {
  'all-day-ending-past-9999.ics': 'REQUEST created; invitation and cancellation',
  'rrule-until-month-13.ics': 'REQUEST created; invitation and cancellation',
  'attendee-value-with-1-mb-of-spaces.ics': 'REQUEST created; invitation and cancellation',
  'rdate-100000.ics': 'reason: The calendar lists 100,000 EXDATE and RDATE values; the server keeps at most 10,000 per event.',
  'overrides-10000.ics': 'reason: The calendar holds 10,001 VEVENTs; the server keeps one event with at most 1,000 changed occurrences.',
  'end-without-begin.ics': 'reason: The calendar could not be read: END:VTIMEZONE closes no component that was begun, so its parts do not nest.',
  'rrule-freq-garbled.ics': 'REQUEST created; invitation and cancellation',
  'rrule-yearly-interval-2147483647.ics': 'REQUEST created; invitation and cancellation',
  'attendee-without-mail-address.ics': 'REQUEST created; invitation and cancellation',
  'mime-nested-1000-deep.eml': 'reason: The message could not be read as email (Maximum MIME nesting depth of 256 levels exceeded).',
  'header-of-3-mb.eml': 'reason: The message could not be read as email (Maximum header size of 2097152 bytes exceeded).',
  'rrule-of-2-mb-in-mail.eml': 'REQUEST created; not stored: The event is 2049 KB as stored; the server keeps at most 300 KB per event.',
}

describe('fuzz regressions', () => {
  it.each(regressionInputs())('$name', async ({ name, input }) => {
    const outcome = await runInput(input)
    expect(outcome).toContain(expected[name] ?? '')
    expect(expected[name], `tests/unit/fuzz/regressions.test.ts names no expected outcome for ${name}`).toBeDefined()
  })
})
