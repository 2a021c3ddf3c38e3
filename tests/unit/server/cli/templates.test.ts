import { describe, it, expect } from 'vitest'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkTemplates, exportTemplates } from '../../../../server/cli/templates'
import { readTemplateFolder } from '../../../../server/templates/in-use'
import { compileMailTemplates, renderMailTemplate, shippedMailTemplates, TEMPLATE_FILE_NAMES } from '../../../../server/templates/mail'

const emptyFolder = () => join(mkdtempSync(join(tmpdir(), 'cis-export-')), 'templates')

describe('cis templates', () => {
  it('exports the shipped templates as the files a deployer edits, which read back as the shipped ones', async () => {
    const folder = emptyFolder()
    expect(await exportTemplates(folder)).toEqual(TEMPLATE_FILE_NAMES.map((name) => join(folder, name)))
    expect(readdirSync(folder).sort()).toEqual([...TEMPLATE_FILE_NAMES].sort())
    expect(compileMailTemplates(readTemplateFolder(folder))).toEqual(shippedMailTemplates)
    expect(await checkTemplates(folder)).toBe(`${folder}: ${[...TEMPLATE_FILE_NAMES].sort().join(', ')} in place of the shipped ones; the others as shipped.`)
  })

  it('leaves a file already there as it is', async () => {
    const folder = emptyFolder()
    await exportTemplates(folder)
    writeFileSync(join(folder, 'signInLink.txt'), 'Mine\n{{link}}\n')
    await expect(exportTemplates(folder)).rejects.toThrow(`${join(folder, 'eventCreated.txt')} exists already; it was left as it is (0 files written before it).`)
    expect(readFileSync(join(folder, 'signInLink.txt'), 'utf8')).toBe('Mine\n{{link}}\n')
  })

  it('checks an edited folder as the server does at start', async () => {
    const folder = emptyFolder()
    await exportTemplates(folder)
    writeFileSync(join(folder, 'signInLink.txt'), 'Your link\nOpen {{link}} ({{minutes}} minutes).\n')
    expect(renderMailTemplate('signInLink', { link: 'L', minutes: '15' }, compileMailTemplates(readTemplateFolder(folder))).text).toBe('Open L (15 minutes).\n')
    writeFileSync(join(folder, 'invitation.html'), '<p>{{title}}</p>')
    await expect(checkTemplates(folder)).rejects.toThrow(`${join(folder, 'invitation.html')}: unknown placeholder {{title}}`)
  })
})
