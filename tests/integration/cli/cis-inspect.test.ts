import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { writeFile, mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { corpusPath, hasCorpus, repoRoot } from '../../corpus'

const run = promisify(execFile)
const cis = (...args: string[]) =>
  run(process.execPath, [path.join(repoRoot, 'server/cli/cis.mjs'), ...args], { cwd: repoRoot }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  )

describe.skipIf(!hasCorpus)('cis inspect', () => {
  it('describes a Google invitation as one JSON object', async () => {
    const { code, stdout } = await cis('inspect', corpusPath('eml/google__postal-mime__calendar-event.eml'))
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({
      method: 'REQUEST',
      uid: '1utaf3eftt1agbnisfcc3a5ps0@google.com',
      sequence: 0,
      status: 'CONFIRMED',
      organizer: { email: 'andris@postalsys.com' },
      start: '2024-04-11T08:00:00Z',
      end: '2024-04-11T09:00:00Z',
      allDay: false,
      timezone: 'Europe/Tallinn',
      rrule: null,
      recurrenceId: null,
      overrides: [],
    })
  }, 30_000)

  it('gives all-day dates as YYYY-MM-DD and names attendees without mailto:', async () => {
    const { stdout } = await cis('inspect', corpusPath('ics/blackberry__icalendar__bis-request.ics'))
    const description = JSON.parse(stdout)
    expect(description).toMatchObject({ allDay: true, start: '2012-08-14', end: '2012-08-15' })
    for (const attendee of description.attendees) expect(attendee.email).toMatch(/^[^:]+@[^:]+$/)
  }, 30_000)

  it.each([
    ['eml/apple__ccs__dsn_failure_with_ics.eml', /bounce/],
    ['eml/generic__tb__message-containing-event.eml', /PUBLISH/],
    ['ics/obm__james__meeting-without-method.ics', /no METHOD/],
  ])('refuses %s with one line on stderr and a non-zero exit', async (name, reason) => {
    const { code, stdout, stderr } = await cis('inspect', corpusPath(name))
    expect(code).not.toBe(0)
    expect(stdout).toBe('')
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(reason)
    expect(stderr).not.toMatch(/\bat .*:\d+:\d+/)
  }, 30_000)

  it('says so when the file is not there or is not mail at all', async () => {
    expect(await cis('inspect', '/no/such/file.eml')).toMatchObject({ code: 1, stderr: 'cis: no such file: /no/such/file.eml\n' })
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cis-'))
    await writeFile(path.join(dir, 'note.txt'), 'just some words\n')
    const { code, stderr } = await cis('inspect', path.join(dir, 'note.txt'))
    expect(code).toBe(1)
    expect(stderr).toMatch(/^cis: .*carries no calendar\.\n$/)
  }, 30_000)
})
