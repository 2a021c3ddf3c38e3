import { describe, it, expect } from 'vitest'
import { rejectedRow, rejectedRowsCsv } from '../../../../../server/domain/lists/rejected-rows'
import { LIST_REASONS } from '../../../../../server/domain/lists/list-entry'

describe('rejectedRowsCsv', { tags: ['security'] }, () => {
  it('writes row, value and reason, a duplicate naming its first row, formulas neutralised', () => {
    expect(
      rejectedRowsCsv(([
        { kind: 'invalid', row: 3, value: 'not-an-address', reason: LIST_REASONS.invalidAddress },
        { kind: 'invalid', row: 4, value: '', reason: LIST_REASONS.missingAddress },
        { kind: 'duplicate', row: 7, value: 'Ann, A <ANN@example.org>', firstRow: 2 },
        { kind: 'invalid', row: 9, value: '=cmd|"/c calc"!A1', reason: LIST_REASONS.invalidAddress },
      ] as const).map(rejectedRow)).split('\r\n'),
    ).toEqual([
      'row,value,reason',
      '3,not-an-address,not a valid email address',
      '4,,no email address',
      '7,"Ann, A <ANN@example.org>",duplicate of row 2',
      `9,"'=cmd|""/c calc""!A1",not a valid email address`,
      '',
    ])
  })

  it('has only a header for no rows', () => {
    expect(rejectedRowsCsv([])).toBe('row,value,reason\r\n')
  })
})
