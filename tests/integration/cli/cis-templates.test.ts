import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { repoRoot } from '../../corpus'
import { MAIL_TEMPLATES, TEMPLATE_FILE_NAMES } from '../../../server/templates/mail'

const run = promisify(execFile)
const env = { ...process.env, CIS_STACK: 'local', CIS_TEMPLATES_DIR: '', CIS_TEMPLATES_S3_PREFIX: '' }
const cis = (...args: string[]) =>
  run(process.execPath, [path.join(repoRoot, 'server/cli/cis.mjs'), ...args], { cwd: repoRoot, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  )

describe('cis templates', () => {
  it('exports the shipped templates to edit, and checks the folder as the server would at start', async () => {
    const folder = path.join(await mkdtemp(path.join(os.tmpdir(), 'cis-templates-')), 'mine')
    const exported = await cis('templates', 'export', folder)
    expect(exported).toMatchObject({ code: 0, stderr: '' })
    // Every shipped file, the invitation's HTML body among them.
    expect(exported.stdout).toMatch(new RegExp(`^Wrote ${TEMPLATE_FILE_NAMES.length} templates: .*invitation\\.html\\n$`))
    expect(TEMPLATE_FILE_NAMES).toContain('invitation.html')

    await writeFile(path.join(folder, 'invitation.txt'), 'Invitation: {{summary}}\nDear {{attendee}},\n')
    expect(await cis('templates', 'check', folder)).toEqual({
      code: 1,
      stdout: '',
      stderr: `cis: ${path.join(folder, 'invitation.txt')}: unknown placeholder {{attendee}}; "invitation" fills ${Object.keys(MAIL_TEMPLATES.invitation.placeholders).map((name) => `{{${name}}}`).join(', ')}.\n`,
    })
    expect(await cis('templates', 'check')).toMatchObject({ code: 0, stdout: 'No CIS_TEMPLATES_DIR or CIS_TEMPLATES_S3_PREFIX is set: the shipped templates are in use.\n' })
    expect(await cis('templates', 'import', folder)).toMatchObject({ code: 2, stderr: 'cis: Usage: cis templates export DIR | check [DIR]\n' })
  }, 30_000)
})
