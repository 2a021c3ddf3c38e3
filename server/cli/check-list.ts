/**
 * `cis check-list FILE.csv [--event UID] [--layout vip|bulk]`: reads an invitation list as
 * the dashboard and the bulk mailbox do and says what it holds (printed by cis.ts as one JSON
 * object, 2-space indented). Without --event it needs no
 * services (only the server's own mailboxes are checked, from configuration).
 */
import { createReadStream } from 'node:fs'
import { config } from '../config'
import { LIST_LAYOUTS, type ListLayout, type ListSummary } from '../domain/lists/list-entry'
import { readListBatches } from '../domain/lists/read-list'
import { summarizeList } from '../domain/lists/summarize-list'
import { checkListBatches } from '../services/list-checks'

export interface CheckListOptions {
  event?: string
  /** Absent: bulk when the header has an event column (header-less: when column 2 holds an address), else vip. */
  layout?: ListLayout
}

export function isListLayout(value: string): value is ListLayout {
  return (LIST_LAYOUTS as readonly string[]).includes(value)
}

export async function checkList(file: string, options: CheckListOptions = {}): Promise<ListSummary> {
  const batches = readListBatches(createReadStream(file), { layout: options.layout ?? 'auto', maxBytes: config().listMaxBytes })
  return summarizeList(checkListBatches(batches, options.event ? { eventUid: options.event } : null))
}
