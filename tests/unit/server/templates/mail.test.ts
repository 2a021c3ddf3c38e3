import { describe, it, expect } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadMailTemplates, mailTemplates, renderMailTemplate } from '../../../../server/templates/mail'

const folderWith = (files: Record<string, string>) => {
  const folder = mkdtempSync(join(tmpdir(), 'cis-templates-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text)
  return folder
}

describe('mail templates a deployer replaces from a folder', () => {
  it('uses the shipped templates without a folder', () => {
    expect(loadMailTemplates(null)).toEqual(mailTemplates)
  })

  it('takes a template from the folder in place of the shipped one, the others as shipped', () => {
    const templates = loadMailTemplates(folderWith({ 'signInLink.txt': 'Your link for {{siteUrl}}\r\nOpen {{link}} within {{minutes}} minutes.\r\n' }))
    expect(renderMailTemplate('signInLink', { siteUrl: 'https://events.example.com', link: 'https://events.example.com/sign-in/verify?token=t', minutes: '15' }, templates)).toEqual({
      subject: 'Your link for https://events.example.com',
      text: 'Open https://events.example.com/sign-in/verify?token=t within 15 minutes.\n',
    })
    expect(templates.eventCreated).toBe(mailTemplates.eventCreated)
  })

  it('refuses a template that names a placeholder its mail does not fill, naming the file and the placeholder', () => {
    const folder = folderWith({ 'eventCreated.txt': 'Created {{summary}} for {{organiserName}}\n' })
    expect(() => loadMailTemplates(folder)).toThrow(`${join(folder, 'eventCreated.txt')}: unknown placeholder {{organiserName}}; "eventCreated" fills`)
  })

  it('refuses a file that is no template (a misspelt name would otherwise be ignored)', () => {
    const folder = folderWith({ 'eventCreate.txt': 'Hello\n' })
    expect(() => loadMailTemplates(folder)).toThrow(`${join(folder, 'eventCreate.txt')}: there is no mail template "eventCreate"`)
  })

  it('refuses a folder that does not exist', () => {
    expect(() => loadMailTemplates('/no/such/templates')).toThrow('CIS_TEMPLATES_DIR /no/such/templates does not exist.')
  })
})
