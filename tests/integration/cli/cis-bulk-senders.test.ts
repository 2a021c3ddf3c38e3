/** `cis bulk-senders` against the test stack: what it adds the service (and so bulk@) sees, and a mistyped address or limit is one sentence and exit 2. */
import { describe, it, expect, beforeAll } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { repoRoot } from '../../corpus'
import { useFreshTable } from '../support'
import { bulkSenderOf, setBulkSender } from '../../../server/services/bulk-senders'

const run = promisify(execFile)
/** Runs `cis` with the test stack's CIS_* variables (and this file's table) from process.env. */
const cis = (...args: string[]) =>
  run(process.execPath, [path.join(repoRoot, 'server/cli/cis.mjs'), ...args], { cwd: repoRoot, env: process.env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  )

describe('cis bulk-senders', () => {
  beforeAll(useFreshTable)

  it('adds a sender with or without a daily limit, lists them as JSON lines by address, changes a limit and removes one', async () => {
    expect(await cis('bulk-senders', 'list')).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(await cis('bulk-senders', 'add', 'Zoe@Lists.example', '--daily-limit', '500')).toEqual({
      code: 0,
      stdout: 'zoe@lists.example is a bulk sender, with a daily limit of 500 invitations.\n',
      stderr: '',
    })
    expect(await cis('bulk-senders', 'add', 'amy@lists.example')).toMatchObject({ code: 0, stdout: "amy@lists.example is a bulk sender, with the server's default daily limit.\n" })
    expect(await bulkSenderOf('ZOE@lists.example')).toMatchObject({ email: 'zoe@lists.example', dailyLimit: 500, addedBy: 'cli' })

    const listed = await cis('bulk-senders', 'list')
    const lines = listed.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toEqual([
      { email: 'amy@lists.example', dailyLimit: null, addedBy: 'cli', addedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { email: 'zoe@lists.example', dailyLimit: 500, addedBy: 'cli', addedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ])

    // Adding again changes the limit; without --daily-limit it goes back to the default.
    await cis('bulk-senders', 'add', 'zoe@lists.example', '--daily-limit', '1000000')
    expect(await bulkSenderOf('zoe@lists.example')).toMatchObject({ dailyLimit: 1_000_000 })
    await cis('bulk-senders', 'add', 'zoe@lists.example')
    expect(await bulkSenderOf('zoe@lists.example')).toMatchObject({ dailyLimit: null })

    expect(await cis('bulk-senders', 'remove', 'ZOE@lists.example')).toEqual({ code: 0, stdout: 'zoe@lists.example is no longer a bulk sender.\n', stderr: '' })
    expect(await bulkSenderOf('zoe@lists.example')).toBeNull()
    expect(await cis('bulk-senders', 'remove', 'zoe@lists.example')).toMatchObject({ code: 0, stdout: 'zoe@lists.example was not a bulk sender; nothing changed.\n' })
  }, 60_000)

  it('keeps who added a sender, and when, when the CLI changes the limit', async () => {
    const added = await setBulkSender('owner-added@lists.example', { dailyLimit: null }, 'Sam@Owners.example')
    await cis('bulk-senders', 'add', 'owner-added@lists.example', '--daily-limit', '20')
    expect(await bulkSenderOf('owner-added@lists.example')).toEqual({ ...added, dailyLimit: 20, addedBy: 'sam@owners.example' })
  }, 30_000)

  it.each([
    [['add', 'not-an-address'], 'cis: "not-an-address" is not an email address; give the bulk sender\'s address.\n'],
    [['add'], 'cis: "" is not an email address; give the bulk sender\'s address.\n'],
    [['add', 'x@lists.example', '--daily-limit', '0'], 'cis: --daily-limit "0": The daily limit is a whole number from 1 to 1,000,000.\n'],
    [['add', 'x@lists.example', '--daily-limit', '1000001'], 'cis: --daily-limit "1000001": The daily limit is a whole number from 1 to 1,000,000.\n'],
    [['add', 'x@lists.example', '--daily-limit', '2.5'], 'cis: --daily-limit "2.5": The daily limit is a whole number from 1 to 1,000,000.\n'],
    [['add', 'x@lists.example', '--daily-limit', 'ten'], 'cis: --daily-limit "ten": The daily limit is a whole number from 1 to 1,000,000.\n'],
    [['remove', 'nobody'], 'cis: "nobody" is not an email address; give the bulk sender\'s address.\n'],
    [['list', '--daily-limit', '5'], 'cis: --daily-limit goes with cis bulk-senders add.\n'],
    [['purge'], 'cis: Usage: cis bulk-senders add EMAIL [--daily-limit N] | list | remove EMAIL\n'],
  ])('refuses %j in one sentence, exit 2', async (args, stderr) => {
    expect(await cis('bulk-senders', ...args)).toEqual({ code: 2, stdout: '', stderr })
    expect(await bulkSenderOf('x@lists.example')).toBeNull()
  }, 30_000)
})
