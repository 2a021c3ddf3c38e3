/**
 * The rows of a list that are not invited, as the CSV file the dashboard offers for download
 * and the bulk mailbox's status mail attaches: row, value as written, reason.
 */
import { csvText } from '../csv/write-csv'
import type { ListDuplicate, ListInvalid } from './list-entry'

export const REJECTED_ROWS_COLUMNS = ['row', 'value', 'reason'] as const

export interface RejectedRowText {
  row: number
  value: string
  reason: string
}

/** A rejected entry in words: a duplicate's reason names the row it repeats. */
export function rejectedRow(entry: ListInvalid | ListDuplicate): RejectedRowText {
  return { row: entry.row, value: entry.value, reason: entry.kind === 'invalid' ? entry.reason : `duplicate of row ${entry.firstRow}` }
}

export function rejectedRowsCsv(rows: readonly RejectedRowText[]): string {
  return csvText(REJECTED_ROWS_COLUMNS, rows.map((row) => [row.row, row.value, row.reason]))
}
