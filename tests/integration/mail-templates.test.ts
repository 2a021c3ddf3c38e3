/**
 * A deployer's mail templates under a prefix of the mail bucket (CIS_TEMPLATES_S3_PREFIX),
 * on the local stack: the next mail is written from them, what an organizer wrote is
 * escaped in an HTML one, and a bad one stops the send function at start, naming the
 * object and the placeholder. (The folder, CIS_TEMPLATES_DIR, is shown in
 * inbound-pipeline.test.ts.)
 */
import { describe, it, expect, beforeAll, afterEach } from 'vitest'
import { randomUUID } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import PostalMime from 'postal-mime'
import { clients } from '../../server/aws/clients'
import { config, resetConfig } from '../../server/config'
import { inviteToEvent } from '../../server/services/invitations'
import { emailAttendeeReport } from '../../server/services/reports'
import { useMailTemplates } from '../../server/templates/in-use'
import { expectProperInvitation } from '../support/invitation-mime'
import { repoRoot } from '../corpus'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue, useFreshSendQueue, useFreshTable } from './support'

const ORGANIZER = 'olga@organizer.example'
const run = promisify(execFile)

/** Puts `files` under a fresh prefix of the mail bucket and returns the prefix. */
async function templatesInS3(files: Record<string, string>): Promise<string> {
  const prefix = `templates-${randomUUID().slice(0, 8)}/`
  for (const [fileName, text] of Object.entries(files)) {
    await clients().s3.send(new PutObjectCommand({ Bucket: config().mailBucket, Key: `${prefix}${fileName}`, Body: text, ContentType: 'text/plain; charset=utf-8' }))
  }
  return prefix
}

function useTemplatePrefix(prefix: string) {
  process.env.CIS_TEMPLATES_S3_PREFIX = prefix
  resetConfig()
}

const BRANDED_HTML = `<!doctype html>
<html><body>
<h1 style="color:#c00">{{summary}}</h1>
<p>{{when}}</p>
{{#unsubscribeUrl}}
<p><a href="{{unsubscribeUrl}}">Stop</a></p>
{{/unsubscribeUrl}}
</body></html>
`

describe("mail templates from the deployer's S3 prefix", () => {
  beforeAll(async () => {
    process.env.CIS_SEND_RATE = '500'
    resetConfig()
    await useFreshTable()
    await useFreshSendQueue(3)
  })

  afterEach(() => {
    delete process.env.CIS_TEMPLATES_S3_PREFIX
    resetConfig()
  })

  it("writes the next invitation's HTML part and the next report from them, the rest as shipped", async () => {
    useTemplatePrefix(await templatesInS3({
      'invitation.html': BRANDED_HTML,
      'attendeeReport.txt': 'Your guest list: {{summary}}\nAttached: {{fileName}}.\n',
      'notes.md': 'not a template, left alone',
    }))
    const uid = `templated-${randomUUID()}`
    const created = await deliver('create', received(imip(ORGANIZER, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T100000Z', 'DTSTART:20270115T090000Z', 'DTEND:20270115T100000Z',
      'SUMMARY:Launch <script>alert(1)</script>', `ORGANIZER;CN=Olga:mailto:${ORGANIZER}`, `ATTENDEE;CN=Olga;PARTSTAT=ACCEPTED:mailto:${ORGANIZER}`, 'END:VEVENT',
    ]), ORGANIZER))
    expect(created).toMatchObject({ outcome: 'created' })
    const since = Date.now()
    await inviteToEvent({ eventUid: uid, email: 'bob@example.org', name: 'Bob', origin: 'api', invitedBy: ORGANIZER })
    await emailAttendeeReport(uid, ORGANIZER)
    await runSendQueue()

    const [invitation] = await rawSentMail(since, 'bob@example.org')
    expectProperInvitation(invitation!.raw, { method: 'REQUEST', recipient: 'bob@example.org', uid, sequence: 0, unsubscribe: true })
    const parsed = await PostalMime.parse(invitation!.raw)
    expect(parsed.html).toMatch(
      /^<!doctype html>\n<html><body>\n<h1 style="color:#c00">Launch &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h1>\n<p>Friday, 15 January 2027 at 09:00 – 10:00 \(UTC\)<\/p>\n<p><a href="http:\/\/[^"]+\/unsubscribe\/[^"]+">Stop<\/a><\/p>\n<\/body><\/html>\n/,
    )
    expect(parsed.text).toContain('Olga invites you to "Launch <script>alert(1)</script>".')
    expect(parsed.subject).toBe('Invitation: Launch <script>alert(1)</script> @ Friday, 15 January 2027 at 09:00 – 10:00 (UTC)')

    const reports = (await rawSentMail(since, ORGANIZER)).filter((mail) => mail.raw.includes('text/csv'))
    expect(reports).toHaveLength(1)
    const report = await PostalMime.parse(reports[0]!.raw)
    expect(report.subject).toBe('Your guest list: Launch <script>alert(1)</script>')
    expect(report.text).toMatch(/^Attached: attendees-launch-scriptalert1script\.csv\.\n/)
  })

  it('refuses a template that names a placeholder its mail does not fill, naming the object and the placeholder', async () => {
    const prefix = await templatesInS3({ 'attendeeReport.txt': 'Report\n{{fileName}}\n', 'invitation.html': '<p>{{location}}</p>' })
    useTemplatePrefix(prefix)
    await expect(useMailTemplates()).rejects.toThrow(`s3://${config().mailBucket}/${prefix}invitation.html: unknown placeholder {{location}}; "invitation" fills`)
  })

  it('refuses an object under the prefix that is no template', async () => {
    const prefix = await templatesInS3({ 'invitations.html': '<p>{{summary}}</p>' })
    useTemplatePrefix(prefix)
    await expect(useMailTemplates()).rejects.toThrow(`s3://${config().mailBucket}/${prefix}invitations.html: there is no mail template "invitations"`)
  })

  it('stops the send function at start on a bad template, and starts it on good ones', async () => {
    // The Lambda entry itself, in plain Node as Lambda runs it: its module awaits the templates.
    const start = async (prefix: string) =>
      run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/queues/send.lambda.ts')], { cwd: repoRoot, env: { ...process.env, CIS_TEMPLATES_S3_PREFIX: prefix } }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      )
    const bad = await templatesInS3({ 'signInLink.txt': 'Sign in\n{{url}}\n' })
    const stopped = await start(bad)
    expect(stopped.code).not.toBe(0)
    expect(stopped.stderr).toContain(`s3://${config().mailBucket}/${bad}signInLink.txt: unknown placeholder {{url}}; "signInLink" fills {{link}}, {{minutes}}, {{siteUrl}}.`)
    expect((await start(await templatesInS3({ 'signInLink.txt': 'Sign in\n{{link}}\n' }))).code).toBe(0)
  }, 60_000)
})
