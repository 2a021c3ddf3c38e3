/**
 * The rows of a list that are not invited, as the CSV file the dashboard offers for download
 * and the bulk mailbox's status mail attaches: row, value as written, reason.
 */
import { csvText } from '../csv/write-csv'
import type { ListDuplicate, ListInvalid } from './list-entry'

export const REJECTED_ROWS_COLUMNS = ['row', 'value', 'reason'] as const

export function rejectedRowsCsv(entries: readonly (ListInvalid | ListDuplicate)[]): string {
  return csvText(
    REJECTED_ROWS_COLUMNS,
    entries.map((entry) => [entry.row, entry.value, entry.kind === 'invalid' ? entry.reason : `duplicate of row ${entry.firstRow}`]),
  )
}
