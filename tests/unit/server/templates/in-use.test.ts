import { describe, it, expect } from 'vitest'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readTemplateFolder } from '../../../../server/templates/in-use'
import { compileMailTemplates, renderMailTemplate } from '../../../../server/templates/mail'

const folderWith = (files: Record<string, string>) => {
  const folder = mkdtempSync(join(tmpdir(), 'cis-templates-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text)
  return folder
}

describe('a deployer’s template folder', () => {
  it('gives its .txt and .html files, each located by its path, and leaves other files and folders alone', () => {
    const folder = folderWith({ 'invitation.html': '<p>{{summary}}</p>', 'signInLink.txt': 'Link\n{{link}}\n', 'README.md': 'notes', '.DS_Store': '' })
    mkdirSync(join(folder, 'old.txt'))
    expect(readTemplateFolder(folder)).toEqual([
      { fileName: 'invitation.html', location: join(folder, 'invitation.html'), text: '<p>{{summary}}</p>' },
      { fileName: 'signInLink.txt', location: join(folder, 'signInLink.txt'), text: 'Link\n{{link}}\n' },
    ])
  })

  it('changes the mail it overrides', () => {
    const templates = compileMailTemplates(readTemplateFolder(folderWith({ 'attendeeReport.txt': 'Your report: {{summary}}\nSee {{fileName}}.\n' })))
    expect(renderMailTemplate('attendeeReport', { summary: 'Board', fileName: 'board.csv' }, templates)).toMatchObject({ subject: 'Your report: Board', text: 'See board.csv.\n' })
  })

  it('is refused with the file and the placeholder when one names a placeholder its mail does not fill', () => {
    const folder = folderWith({ 'invitation.txt': 'Invitation: {{title}}\n' })
    expect(() => compileMailTemplates(readTemplateFolder(folder))).toThrow(`${join(folder, 'invitation.txt')}: unknown placeholder {{title}}; "invitation" fills`)
  })

  it('is refused when it does not exist', () => {
    expect(() => readTemplateFolder('/no/such/templates')).toThrow('CIS_TEMPLATES_DIR /no/such/templates does not exist.')
  })
})
