// PLACEHOLDER until the list reader lands (branch list-reader): a naive line reader with the same signature.
import { isMailAddress } from '../mail/address'
import { LIST_REASONS, UnreadableList, type ListEntry, type ListLayout } from './list-entry'

export async function* readList(source: AsyncIterable<Uint8Array>, options: { layout: ListLayout; maxBytes: number }): AsyncGenerator<ListEntry> {
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  for await (const chunk of source) {
    size += chunk.byteLength
    if (size > options.maxBytes) throw new UnreadableList('The file is too large.')
    text += decoder.decode(chunk, { stream: true })
  }
  const lines = text.split(/\r\n|\n|\r/)
  const seen = new Map<string, number>()
  let any = false
  for (const [index, line] of lines.entries()) {
    const row = index + 1
    if (!line.trim()) continue
    const cells = line.split(',').map((cell) => cell.trim())
    const [uid, value, name] = options.layout === 'bulk' ? cells : [null, cells[0]!, cells[1]]
    if (row === 1 && !(value ?? '').includes('@')) continue
    any = true
    const email = (value ?? '').toLowerCase()
    if (!email) yield { kind: 'invalid', row, value: '', reason: LIST_REASONS.missingAddress }
    else if (!isMailAddress(email)) yield { kind: 'invalid', row, value: value!, reason: LIST_REASONS.invalidAddress }
    else if (seen.has(`${uid}#${email}`)) yield { kind: 'duplicate', row, value: value!, firstRow: seen.get(`${uid}#${email}`)! }
    else {
      seen.set(`${uid}#${email}`, row)
      yield { kind: 'row', row, value: value!, email, name: name || null, uid: uid ?? null }
    }
  }
  if (!any) throw new UnreadableList('The file is empty.')
}
