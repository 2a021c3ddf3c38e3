/**
 * What the sender of lists to the bulk mailbox is told once they are read: the counts (the
 * sentence the mail log keeps too), each list's figures or why it could not be read, the
 * first rejected rows, and each list's rejected rows as the CSV file the dashboard offers
 * for download (rejected-rows.ts: row, value, reason).
 */
import { rejectedRowsCsv, type RejectedRowText } from './rejected-rows'

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

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`
const rejectedOf = (list: ListFigures) => list.invalid + list.duplicates + list.refused
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

/** The name each list is shown under: its file name (a repeated one, or none, named by the attachment's position). */
export function fileLabels(lists: readonly ListFigures[]): string[] {
  const seen = new Set<string>()
  return lists.map((list, index) => {
    const name = list.fileName && !seen.has(list.fileName) ? list.fileName : `${list.fileName ?? 'attachment'} (attachment ${index + 1})`
    seen.add(name)
    return name
  })
}

/** One line per list: its figures, or why it could not be read. */
export function listLines(lists: readonly ListFigures[], labels = fileLabels(lists)): string {
  return lists
    .map((list, index) => {
      const name = labels[index]
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

/** A list as read: its figures and its rejected rows in row order. */
export interface ReadList extends ListFigures {
  rejected: readonly RejectedRowText[]
}

export interface RejectedFile {
  filename: string
  csv: string
}

/** One attachment per list with rejected rows, named after the list: `rejected-<name>.csv`. */
function rejectedFiles(lists: readonly ReadList[], labels: readonly string[]): RejectedFile[] {
  const taken = new Set<string>()
  return lists.flatMap((list, index) => {
    if (!list.rejected.length) return []
    const stem = labels[index]!.replace(/\.(csv|txt)$/i, '').replace(/[^\w.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || `list-${index + 1}`
    const filename = taken.has(`rejected-${stem}.csv`) ? `rejected-${stem}-${index + 1}.csv` : `rejected-${stem}.csv`
    taken.add(filename)
    return [{ filename, csv: rejectedRowsCsv(list.rejected) }]
  })
}

/**
 * The status of a message's lists: the counts sentence, the attachments, and the status
 * mail's template values (server/templates/mail.ts `bulkListStatus`) but for subject,
 * mailbox and reference. `notes`: the attachments that were not read.
 */
export function bulkStatus(lists: readonly ReadList[], notes: readonly string[]) {
  const labels = fileLabels(lists)
  const rows: StatusRow[] = lists.flatMap((list, index) => list.rejected.map((row) => ({ file: labels[index]!, ...row })))
  const files = rejectedFiles(lists, labels)
  const shown = Math.min(rows.length, ROWS_IN_BODY)
  const sentence = statusSentence(lists)
  return {
    sentence,
    files,
    values: {
      summary: sentence,
      lists: listLines(lists, labels),
      rejected: rejectedLines(rows),
      shown: rows.length > shown ? String(shown) : '',
      more: rows.length > shown ? plural(rows.length - shown, 'more row') : '',
      attachments: files.map((file) => file.filename).join(', '),
      notes: notes.map((note) => `- ${note}`).join('\n'),
    },
  }
}
