import { describe, it, expect, beforeAll } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { corpusPath, hasCorpus, repoRoot } from '../corpus'
import { useFreshTable } from './support'

const run = promisify(execFile)
/** Runs `cis` against the test stack (its CIS_* variables are in process.env). */
async function cis(args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, [path.join(repoRoot, 'server/cli/cis.mjs'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  })
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { file?: string; key?: string; outcome: string; uid: string | null; reason: string | null; before?: string })
}

describe.skipIf(!hasCorpus)('cis ingest and cis replay', () => {
  beforeAll(useFreshTable)

  it('runs mail through the pipeline and prints one JSON line per file', async () => {
    const lines = await cis(['ingest', '--verified', ...['single-event', 'update-minor', 'update-major', 'cancel-single-event'].map((n) => corpusPath(`eml/generic__tb__${n}.eml`))])
    expect(lines.map((l) => [path.basename(l.file!), l.outcome, l.uid])).toEqual([
      ['generic__tb__single-event.eml', 'created', '02e79b96'],
      ['generic__tb__update-minor.eml', 'updated', '02e79b96'],
      ['generic__tb__update-major.eml', 'updated', '02e79b96'],
      ['generic__tb__cancel-single-event.eml', 'ignored', '02e79b96'],
    ])
    expect(lines[3]!.reason).toMatch(/^Stale cancellation/)
  }, 60_000)

  it('shows duplicate delivery: the same file again changes nothing', async () => {
    const [line] = await cis(['ingest', '--verified', corpusPath('eml/generic__tb__single-event.eml')])
    expect(line).toMatchObject({ outcome: 'created', uid: '02e79b96' })
  }, 60_000)

  it('reads bare .ics files, one message per calendar in a stream', async () => {
    const lines = await cis(['ingest', ...['01-daily-request', '02-update-instance', '04-cancel-series'].map((n) => corpusPath(`ics/generic__akonadi__${n}.ics`)), corpusPath('ics/zimbra__akonadi__03-cancel-instance.ics')])
    expect(lines.map((l) => l.outcome)).toEqual(['created', 'updated', 'cancelled', 'ignored'])
    const stream = await cis(['ingest', corpusPath('ics/rfc__libical__incoming-sequence.ics')])
    expect(stream).toHaveLength(15)
    expect(stream[0]!.file).toMatch(/incoming-sequence\.ics#1$/)
    for (const line of stream) expect(['created', 'updated', 'cancelled', 'reply', 'ignored', 'rejected']).toContain(line.outcome)
  }, 60_000)

  it('replays rejected mail after the setting that rejected it changes', async () => {
    const [rejected] = await cis(['ingest', corpusPath('eml/google__tb__meet-meeting-invite.eml')])
    expect(rejected).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/could not confirm it was sent by .*: no DMARC pass, nor an SPF pass/) })
    const replayed = await cis(['replay', '--since', '1h'], { CIS_REQUIRE_VERIFIED_SENDER: 'false' })
    expect(replayed).toContainEqual(expect.objectContaining({ before: 'rejected', outcome: 'created', uid: '65m17hsdolmotv3kvmrtg40ont@google.com' }))
  }, 60_000)
})

describe('cis token', () => {
  beforeAll(useFreshTable)
  const cisText = async (args: string[]) =>
    (await run(process.execPath, [path.join(repoRoot, 'server/cli/cis.mjs'), ...args], { cwd: repoRoot, env: process.env })).stdout

  it('creates a token that identifies the organizer, lists it, and revokes it', async () => {
    const created = await cisText(['token', 'create', 'Olga@Example.com', '--label', 'agent'])
    const token = /^(cis_\S+)$/m.exec(created)![1]!
    const id = /API token (\w+) for olga@example\.com/.exec(created)![1]!
    const { organizerOfToken } = await import('../../server/services/api-tokens')
    expect(await organizerOfToken(token)).toBe('olga@example.com')
    expect(await cisText(['token', 'list', 'olga@example.com'])).toMatch(new RegExp(`^${id} .* agent$`, 'm'))
    expect(await cisText(['token', 'revoke', 'olga@example.com', id])).toMatch(/Revoked/)
    // Revoked by another process: this one stops accepting it once its memory of the token lapses.
    const { forgetShortLived } = await import('../../server/services/short-lived')
    forgetShortLived()
    expect(await organizerOfToken(token)).toBeNull()
  }, 60_000)

  it('explains a mistyped organizer in one line', async () => {
    const failure = await run(process.execPath, [path.join(repoRoot, 'server/cli/cis.mjs'), 'token', 'create', 'not-an-address'], { cwd: repoRoot }).catch((e: { stderr: string; code: number }) => e)
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringMatching(/^cis: "not-an-address" is not an email address/) })
  }, 60_000)
})
