/**
 * The calendar reader gives the same result whatever the machine's zone (deliver 5 of the
 * reading issue): no module pins process.env.TZ, and every time is placed from the message
 * itself. The same corpus and fixtures are read in three child processes, under UTC, a
 * zone west of it with DST and a half-hour zone east of it.
 */
import { describe, it, expect } from 'vitest'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { hasCorpus, repoRoot } from '../../../../corpus'

const script = fileURLToPath(new URL('../../../../support/read-calendars.ts', import.meta.url))
const readUnder = (tz: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env: { ...process.env, TZ: tz }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })

describe('reading calendars under any process time zone', () => {
  it.skipIf(!hasCorpus)('reads the corpus and the fixtures identically under TZ=UTC, America/Los_Angeles and Asia/Kolkata', () => {
    const utc = readUnder('UTC')
    expect(Object.keys(JSON.parse(utc)).length).toBeGreaterThan(60)
    expect(readUnder('America/Los_Angeles')).toBe(utc)
    expect(readUnder('Asia/Kolkata')).toBe(utc)
  }, 60_000)

  it('leaves the process time zone alone when the reader is imported', async () => {
    const before = process.env.TZ
    await import('../../../../../server/domain/ical/read-calendar')
    expect(process.env.TZ).toBe(before)
  })
})
