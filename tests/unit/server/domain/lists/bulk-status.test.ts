import { describe, it, expect } from 'vitest'
import Papa from 'papaparse'
import { bulkStatus, fileLabels, listLines, rejectedLines, statusSentence, type ReadList } from '../../../../../server/domain/lists/bulk-status'
import { renderMailTemplate, shippedMailTemplates } from '../../../../../server/templates/mail'

const list = (figures: Partial<ReadList>): ReadList => ({ fileName: 'guests.csv', phase: 'queued', problem: null, rows: 0, invalid: 0, duplicates: 0, queued: 0, refused: 0, rejected: [], ...figures })

describe('the status of lists mailed to the bulk mailbox', () => {
  it.each([
    [[list({ rows: 6, queued: 2, invalid: 1, duplicates: 1, refused: 2 })], '1 list with 6 rows: 2 invitations queued, 4 rows rejected.'],
    [[list({ rows: 100, queued: 95, refused: 5 }), list({ rows: 30, queued: 25, invalid: 5 })], '2 lists with 130 rows: 120 invitations queued, 10 rows rejected.'],
    [[list({ rows: 1, queued: 1 }), list({ phase: 'unreadable', problem: 'The file is empty.' })], '1 list with 1 row: 1 invitation queued, 0 rows rejected. 1 list could not be read.'],
    [[list({ phase: 'unreadable', problem: 'The file is empty.' })], '1 list could not be read.'],
  ])('counts %j as %s', (lists, sentence) => {
    expect(statusSentence(lists)).toBe(sentence)
  })

  it('lists each file with its figures, or the sentence saying why it could not be read; a repeated or missing name by position', () => {
    const lists = [list({ rows: 6, queued: 2, invalid: 1, duplicates: 1, refused: 2 }), list({ fileName: null, phase: 'unreadable', problem: 'The file is empty.' }), list({ rows: 1, queued: 1 })]
    expect(fileLabels(lists)).toEqual(['guests.csv', 'attachment (attachment 2)', 'guests.csv (attachment 3)'])
    expect(listLines(lists)).toBe(
      '- guests.csv: 6 rows, 2 invitations queued, 4 rows rejected (1 invalid, 1 duplicate, 2 refused)\n- attachment (attachment 2) could not be read: The file is empty.\n- guests.csv (attachment 3): 1 row, 1 invitation queued, 0 rows rejected',
    )
  })

  it('shows the first rejected rows on one line each, and every row in one CSV per list with formulas neutralised', { tags: ['security'] }, () => {
    const rejected = Array.from({ length: 22 }, (_, index) => ({ row: index + 2, value: index ? `x${index}` : '=HYPERLINK("http://x")\nmore', reason: 'not a valid email address' }))
    const status = bulkStatus([list({ rows: 22, invalid: 22, rejected }), list({ fileName: 'clean.csv', rows: 1, queued: 1 }), list({ fileName: 'Other list.csv', rows: 1, refused: 1, rejected: [{ row: 2, value: 'a@b.example', reason: 'not your event' }] })], [])
    expect(status.values.rejected.split('\n')).toHaveLength(20)
    expect(status.values.rejected.split('\n')[0]).toBe('- guests.csv, row 2: =HYPERLINK("http://x") more (not a valid email address)')
    expect(status.values).toMatchObject({ shown: '20', more: '3 more rows', attachments: 'rejected-guests.csv, rejected-Other-list.csv', notes: '' })
    expect(status.files.map((file) => file.filename)).toEqual(['rejected-guests.csv', 'rejected-Other-list.csv'])
    const parsed = Papa.parse<string[]>(status.files[0]!.csv.trimEnd()).data
    expect(parsed[0]).toEqual(['row', 'value', 'reason'])
    expect(parsed[1]).toEqual(['2', '\'=HYPERLINK("http://x")\nmore', 'not a valid email address'])
    expect(parsed).toHaveLength(23)
    expect(rejectedLines([{ file: 'a.csv', row: 3, value: '', reason: 'no email address' }])).toBe('- a.csv, row 3: (empty) (no email address)')
  })

  it('renders the shipped status mail in text and HTML (values escaped), and the refusal', { tags: ['security'] }, () => {
    const status = bulkStatus(
      [list({ rows: 2, queued: 1, refused: 1, rejected: [{ row: 3, value: '<b>x@y.example</b>', reason: 'not your event' }] })],
      ['book.xlsx is a spreadsheet workbook; save the sheet as CSV (uid,email,name) and send that.'],
    )
    const mail = renderMailTemplate('bulkListStatus', { ...status.values, subject: 'March guests', mailbox: 'bulk@events.example.com', reference: 'bulk/abc' }, shippedMailTemplates)
    expect(mail.subject).toBe('Your list for bulk@events.example.com: 1 list with 2 rows: 1 invitation queued, 1 row rejected.')
    expect(mail.text).toContain('Rejected rows:\n- guests.csv, row 3: <b>x@y.example</b> (not your event)\n')
    expect(mail.text).toContain('Every rejected row, with its reason, is attached: rejected-guests.csv.')
    expect(mail.text).toContain('Not read:\n- book.xlsx is a spreadsheet workbook')
    expect(mail.html).toContain('&lt;b&gt;x@y.example&lt;/b&gt;')
    const refusal = renderMailTemplate('bulkRefused', { subject: 'March guests', mailbox: 'bulk@events.example.com', reason: 'Not authorized.', reference: 'bulk/abc' }, shippedMailTemplates)
    expect(refusal.subject).toBe('Your list was not read: "March guests"')
    expect(refusal.text).toContain('Not authorized.\n\nNothing was sent.')
  })
})
