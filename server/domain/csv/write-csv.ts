/**
 * The one CSV writer for files people open in a spreadsheet (the attendee report, a list's
 * refused rows): RFC 4180 quoting, every line ended by CRLF, a header row, and every cell a
 * spreadsheet would run as a formula (starting with = + - @, a tab or a CR) given a leading `'`.
 */
import Papa from 'papaparse'

// papaparse's own pattern (/^[=+\-@\t\r].*$/) misses a formula followed by a line break.
export const FORMULA_START = /^[=+\-@\t\r]/

export type CsvCell = string | number | null | undefined

/** The CSV text of the rows under a header row of the columns; an absent cell is empty. */
export function csvText(columns: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const csv = Papa.unparse(
    { fields: [...columns], data: rows.map((row) => columns.map((_, index) => row[index] ?? '')) },
    { header: true, newline: '\r\n', escapeFormulae: FORMULA_START },
  )
  // papaparse ends the text with a line break only when there are no rows.
  return csv.endsWith('\r\n') ? csv : `${csv}\r\n`
}
