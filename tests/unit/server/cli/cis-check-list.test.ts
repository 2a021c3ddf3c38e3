import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeGeneratedLists } from '../../../fixtures/lists/generated'

const root = join(import.meta.dirname, '../../../..')
const fixture = (name: string) => join(root, 'tests/fixtures/lists', name)
const run = promisify(execFile)
// The real command, with no local stack running and the default configuration.
const cis = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [join(root, 'server/cli/cis.mjs'), 'check-list', ...args], { cwd: root, env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  )

describe('cis check-list', () => {
  it('prints one JSON object (2-space indented): rows, valid, invalid and duplicate rows', async () => {
    const { code, stdout, stderr } = await cis([fixture('bad-rows.csv')])
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(stdout).toBe(
      JSON.stringify(
        {
          rows: 6,
          valid: 2,
          invalid: [
            { row: 3, value: 'not-an-address', reason: 'not a valid email address' },
            { row: 4, value: '', reason: 'no email address' },
            { row: 5, value: 'ann@', reason: 'not a valid email address' },
            { row: 7, value: 'a b@example.org', reason: 'not a valid email address' },
          ],
          duplicates: [],
        },
        null,
        2,
      ) + '\n',
    )
  }, 30_000)

  it('reads a bulk list by its uid column, a duplicate being the same address for the same event', async () => {
    const { code, stdout } = await cis([fixture('bulk.csv')])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({
      rows: 5,
      valid: 3,
      invalid: [{ row: 4, value: 'bob@example.org', reason: 'no event UID' }],
      duplicates: [{ row: 5, value: 'ANN@example.org', firstRow: 2 }],
    })
    // Read as a list for one event, the same address twice is a duplicate.
    expect(JSON.parse((await cis([fixture('bulk.csv'), '--layout', 'vip'])).stdout)).toEqual({
      rows: 5,
      valid: 3,
      invalid: [],
      duplicates: [
        { row: 3, value: 'ann@example.org', firstRow: 2 },
        { row: 5, value: 'ANN@example.org', firstRow: 2 },
      ],
    })
  }, 30_000)

  it("refuses the server's own mailboxes, from configuration", async () => {
    const folder = writeGeneratedLists()
    writeFileSync(join(folder, 'mailboxes.csv'), 'email\nRSVP@events.example.org\nann@example.org\n')
    const { stdout } = await cis([join(folder, 'mailboxes.csv')], { CIS_MAIL_DOMAIN: 'events.example.org' })
    expect(JSON.parse(stdout)).toEqual({
      rows: 2,
      valid: 1,
      invalid: [{ row: 2, value: 'RSVP@events.example.org', reason: "one of this server's own mailboxes" }],
      duplicates: [],
    })
  }, 30_000)

  it.each([
    ['workbook.xlsx', {}, 'cis: This is an Excel workbook (or another zip file), not a CSV file: save it as CSV UTF-8 and send that.\n'],
    ['utf16le.csv', { CIS_LIST_MAX_BYTES: '20' }, 'cis: The file is larger than the 20 bytes a list may have: split it into smaller files.\n'],
  ])('says why %s is no list in one line on stderr, exit 1', async (name, env, sentence) => {
    const folder = writeGeneratedLists()
    expect(await cis([join(folder, name)], env)).toEqual({ code: 1, stdout: '', stderr: sentence })
  }, 30_000)

  it('refuses wrong columns, a missing file and a bad --layout', async () => {
    expect(await cis([fixture('wrong-columns.csv')])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^cis: The file has no email column: .*"Name", "Phone"/) })
    expect(await cis(['/no/such/list.csv'])).toEqual({ code: 1, stdout: '', stderr: 'cis: no such file: /no/such/list.csv\n' })
    expect(await cis([fixture('comma.csv'), '--layout', 'xlsx'])).toEqual({ code: 2, stdout: '', stderr: 'cis: --layout must be vip or bulk, not "xlsx".\n' })
  }, 30_000)
})
