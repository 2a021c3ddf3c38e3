/** What a list holds, counted: what `cis check-list` prints and the dashboard's preview shows. */
import type { ListEntry, ListSummary } from './list-entry'

export async function summarizeList(entries: AsyncIterable<ListEntry>): Promise<ListSummary> {
  const summary: ListSummary = { rows: 0, valid: 0, invalid: [], duplicates: [] }
  for await (const entry of entries) {
    summary.rows++
    if (entry.kind === 'row') summary.valid++
    else if (entry.kind === 'invalid') summary.invalid.push({ row: entry.row, value: entry.value, reason: entry.reason })
    else summary.duplicates.push({ row: entry.row, value: entry.value, firstRow: entry.firstRow })
  }
  return summary
}
