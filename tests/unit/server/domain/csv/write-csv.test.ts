import { describe, it, expect } from 'vitest'
import Papa from 'papaparse'
import { csvText } from '../../../../../server/domain/csv/write-csv'

describe('csvText', { tags: ['security'] }, () => {
  it('writes a header and CRLF-ended rows, an absent cell empty, numbers as written', () => {
    expect(csvText(['a', 'b', 'c'], [['x', null, 3], ['y']])).toBe('a,b,c\r\nx,,3\r\ny,,\r\n')
  })

  it.each([
    ['=1+1', `"'=1+1"`],
    ['+1', `"'+1"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tx', `"'\tx"`],
    ['\rx', `"'\rx"`],
    ['=1+1\nsecond line', `"'=1+1\nsecond line"`],
    ['a=1', 'a=1'],
    ['a,b', '"a,b"'],
  ])('neutralises %j as %s', (cell, written) => {
    expect(csvText(['v'], [[cell]])).toBe(`v\r\n${written}\r\n`)
  })

  it('reads back to the values, a formula with its leading quote', () => {
    const text = csvText(['v'], [['Zoë "Z", PhD'], ['=cmd']])
    expect(Papa.parse<string[]>(text, { skipEmptyLines: true }).data).toEqual([['v'], ['Zoë "Z", PhD'], ["'=cmd"]])
  })
})
