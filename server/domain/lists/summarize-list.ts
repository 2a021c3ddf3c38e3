/** What a list holds, counted: what `cis check-list` prints and the dashboard's preview shows. */
import type { ListEntry, ListSummary } from './list-entry'

/** The summary of the entries, given one by one or in batches (readListBatches). */
export async function summarizeList(entries: AsyncIterable<ListEntry | ListEntry[]>): Promise<ListSummary> {
  const summary: ListSummary = { rows: 0, valid: 0, invalid: [], duplicates: [] }
  const count = (entry: ListEntry) => {
    summary.rows++
    if (entry.kind === 'row') summary.valid++
    else if (entry.kind === 'invalid') summary.invalid.push({ row: entry.row, value: entry.value, reason: entry.reason })
    else summary.duplicates.push({ row: entry.row, value: entry.value, firstRow: entry.firstRow })
  }
  for await (const item of entries) {
    if (Array.isArray(item)) for (const entry of item) count(entry)
    else count(item)
  }
  return summary
}
