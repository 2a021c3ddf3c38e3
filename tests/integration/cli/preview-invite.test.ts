import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { corpusPath, fixturePath, hasCorpus, repoRoot } from '../../corpus'
import { previewInvite } from '../../../server/cli/preview-invite'
import { shippedMailTemplates } from '../../../server/templates/mail'
import { inspectFile } from '../../../server/cli/inspect-file'
import { expectProperInvitation } from '../../support/invitation-mime'

const run = promisify(execFile)
const env = { ...process.env, CIS_MAIL_DOMAIN: 'events.example.com', CIS_SITE_URL: 'https://events.example.com', CIS_STACK: 'local' }
const cis = (...args: string[]) =>
  run(process.execPath, [path.join(repoRoot, 'server/cli/cis.mjs'), ...args], { cwd: repoRoot, env, encoding: 'buffer', maxBuffer: 10 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr: stderr.toString() }),
    (error: { code: number; stdout: Buffer; stderr: Buffer }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr.toString() }),
  )

const SAMPLE = fixturePath('mail/sample-invite.eml')
const SAMPLE_UID = '7kq2m4vbp1s0d3c9h8f6e5a2r0@google.com'

/** The message with what differs between two runs (boundaries, Message-ID, Date, DTSTAMP) made equal. */
const stable = (raw: Buffer) => {
  const text = raw.toString('latin1')
  const calendar = /method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(text)![1]!
  const decoded = Buffer.from(calendar.replace(/\r\n/g, ''), 'base64').toString('utf8').replace(/^DTSTAMP:.*$/gm, 'DTSTAMP')
  return [
    text
      .replace(/--_NmP-[0-9a-f]{16}-Part_/g, '--_NmP-B-Part_')
      .replace(/^(Message-ID|Date): .*$/gm, '$1')
      .replace(/(Content-Transfer-Encoding: base64\r\n(?:Content-Disposition: [^\r]*\r\n)?\r\n)[A-Za-z0-9+/=\r\n]+?(\r\n--)/g, '$1CALENDAR$2'),
    decoded,
  ]
}

describe('cis preview-invite', () => {
  it('prints the raw invitation the server would send for the organizer’s message', async () => {
    const { code, stdout, stderr } = await cis('preview-invite', SAMPLE, '--to', 'Bob@Example.org', '--name', 'Bøb Builder')
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const parts = expectProperInvitation(stdout, { method: 'REQUEST', recipient: 'bob@example.org', uid: SAMPLE_UID, sequence: 0, unsubscribe: true })
    expect(parts.from).toBe('Alice Example <rsvp@events.example.com>')
    expect(parts.to).toBe('Bøb Builder <bob@example.org>')
    expect(parts.subject).toMatch(/^Invitation: Spring community meetup @ Thursday, 18 March 2027/)
    expect(parts.unsubscribeUrl).toBe('https://events.example.com/unsubscribe/preview')
    expect(parts.calendarLines).toEqual(expect.arrayContaining([`ORGANIZER;CN="Alice Example":mailto:rsvp@events.example.com`, 'SUMMARY:Spring community meetup']))
    expect(parts.text).toContain('Where:     Community Hall, 1 Main Street, Springfield')

    // Byte for byte what the domain composes for this file, but for the random and timed parts.
    const direct = await previewInvite(SAMPLE, await readFile(SAMPLE), { to: 'bob@example.org', name: 'Bøb Builder', organizerMailbox: 'rsvp@events.example.com', siteUrl: 'https://events.example.com', templates: shippedMailTemplates })
    expect(stable(stdout)).toEqual(stable(direct))
  }, 30_000)

  it.skipIf(!hasCorpus)('previews an Outlook (Teams) invitation from the corpus', async () => {
    const name = corpusPath('eml/o365__tb__teams-meeting-invite.eml')
    const { code, stdout } = await cis('preview-invite', name, '--to', 'carol@example.org')
    expect(code).toBe(0)
    const { uid, sequence } = await inspectFile(name, await readFile(name))
    const parts = expectProperInvitation(stdout, { method: 'REQUEST', recipient: 'carol@example.org', uid, sequence, unsubscribe: true })
    expect(parts.calendarLines.filter((l) => l.startsWith('ATTENDEE'))).toEqual(['ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:MAILTO:carol@example.org'])
  }, 30_000)

  it.each([
    ['a bad --to', [SAMPLE, '--to', 'not-an-address'], /^cis: --to "not-an-address" is not a mail address\.\n$/],
    ['a --to with a line break', [SAMPLE, '--to', 'bob@example.org\r\nBcc: eve@example.org'], /^cis: --to .* is not a mail address\.\n$/],
    ['no --to', [SAMPLE], /^cis: cis preview-invite needs --to EMAIL/],
    ['a missing file', ['/no/such/file.eml', '--to', 'bob@example.org'], /^cis: no such file: \/no\/such\/file\.eml\n$/],
    ['an unknown option', [SAMPLE, '--to', 'bob@example.org', '--cc', 'eve@example.org'], /^cis: Unknown option '--cc'/],
  ])('refuses %s with one line on stderr and a non-zero exit', async (_, args, reason) => {
    const { code, stdout, stderr } = await cis('preview-invite', ...args)
    expect(code).not.toBe(0)
    expect(stdout.length).toBe(0)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(reason)
    expect(stderr).not.toMatch(/\bat .*:\d+:\d+/)
  }, 30_000)

  it.skipIf(!hasCorpus).each([
    ['eml/generic__tb__cancel-single-event.eml', /is a CANCEL, not an invitation/],
    ['eml/apple__ccs__dsn_failure_with_ics.eml', /bounce/],
    ['ics/obm__james__meeting-without-method.ics', /no METHOD/],
    ['ics/exchange2007__horde__bug14132.ics', /would not create an event .*no ORGANIZER/],
  ])('refuses %s, which creates no event, with one line', async (name, reason) => {
    const { code, stdout, stderr } = await cis('preview-invite', corpusPath(name), '--to', 'bob@example.org')
    expect(code).toBe(1)
    expect(stdout.length).toBe(0)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(reason)
  }, 30_000)
})
