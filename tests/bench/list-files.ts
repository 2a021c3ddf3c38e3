/**
 * Invitation list files of any size for benchmarks: N data rows under a header, mostly
 * distinct addresses with names (some quoted, with a comma), and every so often a bad
 * address, a row without one or a repeat of an earlier row, so every path of the reader runs.
 */
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import type { ListLayout } from '../../server/domain/lists/list-entry'

export interface ListFileOptions {
  layout?: ListLayout
  /** One row in this many repeats an earlier address (0: none). */
  duplicateEvery?: number
  /** One row in this many has a bad address, one in this many (offset) none (0: none). */
  invalidEvery?: number
}

/** What the file holds, to check a reader's counts against. */
export interface ListFileCounts {
  rows: number
  valid: number
  invalid: number
  duplicates: number
}

/** Writes a list of `rows` data rows to `path`; resolves with its counts once written. */
export async function writeListFile(path: string, rows: number, options: ListFileOptions = {}): Promise<ListFileCounts> {
  const { layout = 'vip', duplicateEvery = 50, invalidEvery = 200 } = options
  const out = createWriteStream(path)
  const counts: ListFileCounts = { rows, valid: 0, invalid: 0, duplicates: 0 }
  const header = layout === 'bulk' ? 'uid,email,name' : 'email,name'
  let batch = `${header}\r\n`
  for (let index = 1; index <= rows; index++) {
    let email = `guest.${index}@example${index % 97}.org`
    if (duplicateEvery && index % duplicateEvery === 0) {
      email = `guest.${index - 1}@example${(index - 1) % 97}.org`.toUpperCase()
      counts.duplicates++
    } else if (invalidEvery && index % invalidEvery === 1 && index > 1) {
      email = `guest.${index}.example.org`
      counts.invalid++
    } else if (invalidEvery && index % invalidEvery === 2 && index > 2) {
      email = ''
      counts.invalid++
    } else counts.valid++
    const name = index % 3 ? `Guest ${index}` : `"Guest, Number ${index}"`
    batch += layout === 'bulk' ? `event-${index % 5}@example.org,${email},${name}\r\n` : `${email},${name}\r\n`
    if (batch.length > 64 * 1024) {
      if (!out.write(batch)) await once(out, 'drain')
      batch = ''
    }
  }
  out.end(batch)
  await once(out, 'finish')
  return counts
}
