/**
 * What the sender of lists to the bulk mailbox is told once they are read: the counts (the
 * sentence the mail log keeps too), each list's figures or why it could not be read, the
 * first rejected rows, and every rejected row as CSV.
 *
 * The CSV is written here with papaparse until the shared writer (server/domain/csv/
 * write-csv.ts, branch list-reader) lands; then `rejectedRowsCsv` becomes a call to it.
 * Same rules: RFC 4180, CRLF, a header row, formula-like cells given a leading `'`.
 */
import Papa from 'papaparse'

export interface ListFigures {
  fileName: string | null
  phase: string
  /** Why the file could not be read at all (phase `unreadable`). */
  problem: string | null
  rows: number
  invalid: number
  duplicates: number
  queued: number
  refused: number
}

export interface StatusRow {
  /** The list's file name (several attachments make several lists). */
  file: string
  row: number
  value: string
  reason: string
}

/** Rejected rows written out in the mail's body; all of them are in the attachment. */
export const ROWS_IN_BODY = 20
export const REJECTED_FILE_NAME = 'rejected-rows.csv'

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`
const rejectedOf = (list: ListFigures) => list.invalid + list.duplicates + list.refused
const nameOf = (list: ListFigures, index: number) => list.fileName || `attachment ${index + 1}`
/** A cell as one readable line of a mail body: no control characters, at most 200 characters. */
const oneLine = (value: string) => {
  const line = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

/** "2 lists with 130 rows: 120 invitations queued, 10 rows rejected." (and the lists that could not be read). */
export function statusSentence(lists: readonly ListFigures[]): string {
  const read = lists.filter((list) => list.phase !== 'unreadable')
  const unreadable = lists.length - read.length
  const parts: string[] = []
  if (read.length) {
    const rows = read.reduce((sum, list) => sum + list.rows, 0)
    const queued = read.reduce((sum, list) => sum + list.queued, 0)
    const rejected = read.reduce((sum, list) => sum + rejectedOf(list), 0)
    parts.push(`${plural(read.length, 'list')} with ${plural(rows, 'row')}: ${plural(queued, 'invitation')} queued, ${plural(rejected, 'row')} rejected.`)
  }
  if (unreadable) parts.push(`${plural(unreadable, 'list')} could not be read.`)
  return parts.join(' ')
}

/** One line per list: its figures, or why it could not be read. */
export function listLines(lists: readonly ListFigures[]): string {
  return lists
    .map((list, index) => {
      const name = nameOf(list, index)
      if (list.phase === 'unreadable') return `- ${name} could not be read: ${list.problem ?? 'no reason was recorded.'}`
      const detail = [
        list.invalid ? `${list.invalid} invalid` : '',
        list.duplicates ? plural(list.duplicates, 'duplicate') : '',
        list.refused ? `${list.refused} refused` : '',
      ].filter(Boolean)
      return `- ${name}: ${plural(list.rows, 'row')}, ${plural(list.queued, 'invitation')} queued, ${plural(rejectedOf(list), 'row')} rejected${detail.length ? ` (${detail.join(', ')})` : ''}`
    })
    .join('\n')
}

/** The rows shown in the body, one line each: file, row number, value, reason. */
export function rejectedLines(rows: readonly StatusRow[], limit = ROWS_IN_BODY): string {
  return rows
    .slice(0, limit)
    .map((row) => `- ${row.file}, row ${row.row}: ${oneLine(row.value) || '(empty)'} (${row.reason})`)
    .join('\n')
}

// papaparse's own pattern (/^[=+\-@\t\r].*$/) misses a formula followed by a line break.
const FORMULA_START = /^[=+\-@\t\r]/

/** Every rejected row as CSV (`file,row,value,reason`), header first. */
export function rejectedRowsCsv(rows: readonly StatusRow[]): string {
  const csv = Papa.unparse(
    { fields: ['file', 'row', 'value', 'reason'], data: rows.map((row) => [row.file, row.row, row.value, row.reason]) },
    { header: true, newline: '\r\n', escapeFormulae: FORMULA_START },
  )
  return csv.endsWith('\r\n') ? csv : `${csv}\r\n`
}

/** The status mail's template values (server/templates/mail.ts `bulkListStatus`), but for subject, mailbox and reference. */
export function statusValues(lists: readonly ListFigures[], rows: readonly StatusRow[], notes: readonly string[]) {
  const shown = Math.min(rows.length, ROWS_IN_BODY)
  return {
    summary: statusSentence(lists),
    lists: listLines(lists),
    rejected: rejectedLines(rows),
    shown: rows.length > shown ? String(shown) : '',
    more: rows.length > shown ? plural(rows.length - shown, 'more row') : '',
    attachment: rows.length ? REJECTED_FILE_NAME : '',
    notes: notes.map((note) => `- ${note}`).join('\n'),
  }
}

/** The file name a list's rows are reported under. */
export const fileLabel = nameOf
