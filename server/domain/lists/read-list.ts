/**
 * The one reader of invitation lists (the dashboard's VIP list, the bulk mailbox, `cis
 * check-list`): CSV bytes in, one entry per data row out, as the bytes arrive. It finds the
 * text encoding, the delimiter and whether there is a header, reads each row's address and
 * name, and refuses what the file alone shows is wrong (a bad or missing address, a bulk row
 * without its event, a repeated address); a file that is no list at all is an UnreadableList
 * with the sentence to show.
 *
 * Streaming: papaparse's low-level Parser is given the decoded text in batches, each parse
 * keeping back the last, possibly unfinished, row for the next. We decide the encoding, the
 * line ends and the delimiter ourselves (papaparse's streamers guess them from whatever
 * their first chunk holds), so the result does not depend on how the bytes were chunked, and
 * memory holds one batch, not the file.
 */
import Papa from 'papaparse'
import { isMailAddress } from '../mail/address'
import { type ListEntry, type ListLayout, LIST_REASONS, UnreadableList } from './list-entry'

export interface ReadListOptions {
  /** `auto`: bulk when the header has an event column (header-less: when column 2 holds an address), else vip. */
  layout: ListLayout | 'auto'
  /** The largest file read; a larger one is refused with a sentence saying the limit. */
  maxBytes: number
}

/** The longest name kept (characters); longer ones are cut. */
export const MAX_NAME_LENGTH = 200

/** What a file over the size limit is told (also before an upload whose size is known). */
export function tooLargeSentence(maxBytes: number): string {
  const limit = maxBytes >= MEGABYTE / 10 ? `${Number((maxBytes / MEGABYTE).toFixed(1))} MB` : `${maxBytes} bytes`
  return `The file is larger than the ${limit} a list may have: split it into smaller files.`
}

/** The entries of the list the bytes hold, in file order; throws UnreadableList for a file that is no list. */
export async function* readList(source: AsyncIterable<Uint8Array>, options: ReadListOptions): AsyncGenerator<ListEntry> {
  for await (const batch of readListBatches(source, options)) yield* batch
}

/**
 * readList's entries a batch at a time (the rows of one parsed piece of text, a few hundred):
 * what the list worker and the summaries read, one await a batch instead of one a row. An
 * async generator's every yield allocates its promises and result objects: measured on a
 * million rows, yielding row by row through three such layers was half the garbage made.
 */
export async function* readListBatches(source: AsyncIterable<Uint8Array>, options: ReadListOptions): AsyncGenerator<ListEntry[]> {
  let columns: Columns | null = null
  let row = 0
  let dataRows = 0
  let headerRow = false
  const seen = new FingerprintTable()
  for await (const records of csvRecords(decodedText(source, options.maxBytes))) {
    const batch: ListEntry[] = []
    for (const cells of records) {
      row++
      if (isBlank(cells)) continue
      if (!columns) {
        columns = columnsOf(cells, options.layout)
        headerRow = columns.header
        if (headerRow) continue
      }
      dataRows++
      const entry = entryOf(cells, row, columns)
      if (entry.kind === 'row') {
        const firstRow = seen.firstRowOrAdd(entry.uid === null ? entry.email : `${entry.uid}\u0000${entry.email}`, row)
        if (firstRow) {
          batch.push({ kind: 'duplicate', row, value: own(entry.value), firstRow })
          continue
        }
      }
      batch.push(entry)
    }
    if (batch.length) yield batch
  }
  if (!dataRows) {
    throw new UnreadableList(
      headerRow ? 'The file has a header row but no rows under it.' : 'The file is empty: it has no rows, only blank lines or nothing.',
    )
  }
}

// ——— Bytes to text ———

const MEGABYTE = 1024 * 1024

/** Files people upload by mistake, by their first bytes. */
const NOT_TEXT: { magic: number[]; sentence: string }[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], sentence: 'This is an Excel workbook (or another zip file), not a CSV file: save it as CSV UTF-8 and send that.' },
  { magic: [0x50, 0x4b, 0x05, 0x06], sentence: 'This is an Excel workbook (or another zip file), not a CSV file: save it as CSV UTF-8 and send that.' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], sentence: 'This is an Excel workbook in the old .xls format, not a CSV file: save it as CSV UTF-8 and send that.' },
  { magic: [0x89, 0x50, 0x4e, 0x47], sentence: 'This is a PNG image, not a CSV file of addresses.' },
  { magic: [0xff, 0xd8, 0xff], sentence: 'This is a JPEG image, not a CSV file of addresses.' },
  { magic: [0x47, 0x49, 0x46, 0x38], sentence: 'This is a GIF image, not a CSV file of addresses.' },
  { magic: [0x25, 0x50, 0x44, 0x46], sentence: 'This is a PDF document, not a CSV file of addresses.' },
]
const HEAD_BYTES = 4
/** The most bytes decoded at a time. */
const DECODE_BYTES = 16 * 1024

function encodingOf(head: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  return 'utf-8'
}

/**
 * The file's text, with every line end (CRLF, LF, CR) as LF: UTF-8 with or without a BOM,
 * or UTF-16 with one. Throws the sentence for a file too large, not text or not UTF-8.
 */
async function* decodedText(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<string> {
  let bytes = 0
  let head: Uint8Array | null = new Uint8Array(0)
  let decoder: TextDecoder | null = null
  let carriageReturn = false
  const text = (chunk: string, last: boolean): string => {
    if (chunk.includes('\u0000')) throw new UnreadableList('This is not a text file: send the list as a CSV file, one address a row.')
    let lines = (carriageReturn ? '\r' : '') + chunk
    carriageReturn = !last && lines.endsWith('\r')
    if (carriageReturn) lines = lines.slice(0, -1)
    return lines.replace(/\r\n?/g, '\n')
  }
  const decode = (chunk: Uint8Array | undefined, last: boolean): string => {
    try {
      return text(decoder!.decode(chunk, { stream: !last }), last)
    } catch (error) {
      if (error instanceof UnreadableList) throw error
      throw new UnreadableList('The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8 and send that.')
    }
  }
  const start = (first: Uint8Array): string => {
    for (const { magic, sentence } of NOT_TEXT) if (magic.every((byte, index) => first[index] === byte)) throw new UnreadableList(sentence)
    decoder = new TextDecoder(encodingOf(first), { fatal: true })
    return decode(first, false)
  }
  for await (const chunk of source) {
    bytes += chunk.byteLength
    if (bytes > maxBytes) throw new UnreadableList(tooLargeSentence(maxBytes))
    if (head) {
      // The first few bytes decide the encoding and tell a file that is not text.
      const joined: Uint8Array = new Uint8Array(head.byteLength + chunk.byteLength)
      joined.set(head)
      joined.set(chunk, head.byteLength)
      if (joined.byteLength < HEAD_BYTES) {
        head = joined
        continue
      }
      head = null
      yield start(joined)
      continue
    }
    // Decoded a piece at a time (see BATCH_CHARS).
    for (let offset = 0; offset < chunk.byteLength; offset += DECODE_BYTES) yield decode(chunk.subarray(offset, offset + DECODE_BYTES), false)
  }
  if (head) yield start(head)
  yield decode(undefined, true)
}

// ——— Text to records ———

/** How much text the delimiter is guessed from. */
const SAMPLE_CHARS = 64 * 1024
/**
 * The text given to the parser at a time (a 64 KiB chunk from a file is decoded and parsed in
 * four), so a batch holds a few hundred rows. Measured on a million rows side by side on a
 * busy machine, peak RSS 178–213 MB with 16 KiB pieces and 198–201 MB with 64 KiB: no
 * difference beyond the noise; the smaller bound keeps fewer rows alive at once whatever
 * size of chunk the source gives.
 */
const BATCH_CHARS = 16 * 1024
const DELIMITERS = [',', ';', '\t']

/** The file's records (arrays of cells, blank lines included), a batch at a time. */
async function* csvRecords(texts: AsyncIterable<string>): AsyncGenerator<string[][]> {
  let pending = ''
  let parser: Papa.Parser | null = null
  // A piece this long is parsed; it doubles while a piece holds no whole row, so a single
  // huge quoted cell is not re-read once per chunk.
  let size = BATCH_CHARS
  let delimiter = ''
  for await (const text of texts) {
    pending += text
    if (!parser && pending.length < SAMPLE_CHARS) continue
    if (!parser) [parser, delimiter] = parserFor(pending, true)
    // Before cutting pieces, so the parser's cursor counts in the text it is given.
    pending = quoteDisplayNames(pending, delimiter)
    while (pending.length >= size) {
      const result = parser.parse(pending.slice(0, size), 0, true) as Papa.ParseResult<string[]>
      pending = pending.slice(result.meta.cursor)
      size = result.meta.cursor ? BATCH_CHARS : 2 * size
      if (result.data.length) yield result.data
    }
  }
  if (!pending) return
  if (!parser) [parser, delimiter] = parserFor(pending, false)
  yield (parser.parse(quoteDisplayNames(pending, delimiter), 0, false) as Papa.ParseResult<string[]>).data
}

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')

/**
 * An address as mail clients copy it, `"Doe, Jane" <jane@example.org>`, written into a CSV
 * file as it is: a quoted field followed by more text is no CSV (papaparse would read on to
 * the file's next quote, swallowing the rows between), so such a cell is quoted as CSV
 * quotes it (`"""Doe, Jane"" <jane@example.org>"`). A file that is valid CSV never has the
 * pattern, so nothing else changes; the result has it no more, so quoting twice is the same.
 */
export function quoteDisplayNames(text: string, delimiter: string): string {
  const d = escapeRegExp(delimiter)
  const cell = new RegExp(`(^|${d})([ \\t]*"[^"\\n]*"[ \\t]*<[^<>"\\n${d}]*>[ \\t]*)(?=${d}|$)`, 'gm')
  return text.replace(cell, (_, before: string, value: string) => `${before}"${value.replace(/"/g, '""')}"`)
}

/**
 * A parser with the delimiter guessed from the file's first SAMPLE_CHARS characters, cut at
 * a line end when more follows.
 */
function parserFor(text: string, more: boolean): [Papa.Parser, string] {
  let sample = text.slice(0, SAMPLE_CHARS)
  const lastLine = sample.lastIndexOf('\n')
  if (more && lastLine > 0) sample = sample.slice(0, lastLine)
  const delimiter = guessDelimiter(sample)
  return [new Papa.Parser({ delimiter, newline: '\n', quoteChar: '"' }), delimiter]
}

const QUOTED_TEXT = /"(?:[^"]|"")*"/g

/**
 * The delimiter of most of the first 20 non-blank lines, each having it the same number of
 * times (outside quotes); comma when none does (a one-column file). papaparse's own guess
 * prefers the delimiter giving the most even columns, which a comma in a quoted display name
 * (`"Doe, Jane" <jane@example.org>`) can win in a semicolon file.
 */
export function guessDelimiter(sample: string): string {
  const lines = sample
    .replace(QUOTED_TEXT, '""')
    .split('\n')
    .filter((line) => line.trim())
    .slice(0, 20)
  let best = ','
  let bestLines = 0
  for (const delimiter of DELIMITERS) {
    const counts = new Map<number, number>()
    for (const line of lines) {
      const count = line.split(delimiter).length - 1
      if (count) counts.set(count, (counts.get(count) ?? 0) + 1)
    }
    const agreeing = Math.max(0, ...counts.values())
    if (agreeing > bestLines) [best, bestLines] = [delimiter, agreeing]
  }
  return best
}

const isBlank = (cells: string[]) => cells.every((cell) => !cell.trim())

// ——— Columns ———

interface Columns {
  header: boolean
  layout: ListLayout
  email: number
  name: number
  firstName: number
  lastName: number
  uid: number
}

/** Header names as compared: lower case, without spaces, dashes, underscores or dots. */
const headerKey = (cell: string) => cell.toLowerCase().replace(/[\s\-_.]/g, '')
const EMAIL_HEADERS = new Set(['email', 'emailaddress', 'mail', 'mailaddress'])
const NAME_HEADERS = new Set(['name', 'fullname', 'displayname'])
const FIRST_NAME_HEADERS = new Set(['firstname', 'givenname'])
const LAST_NAME_HEADERS = new Set(['lastname', 'surname', 'familyname'])
const UID_HEADERS = new Set(['uid', 'event', 'eventuid', 'eventid'])

const holdsAddress = (cell: string | undefined) => cell !== undefined && isMailAddress(addressCell(cell).address)

/** Where each field is, from the first non-blank row: a header naming them, or the layout's order. */
function columnsOf(first: string[], layout: ListLayout | 'auto'): Columns {
  const headerless = (chosen: ListLayout): Columns =>
    chosen === 'vip'
      ? { header: false, layout: chosen, email: 0, name: 1, firstName: -1, lastName: -1, uid: -1 }
      : { header: false, layout: chosen, uid: 0, email: 1, name: 2, firstName: -1, lastName: -1 }
  if (layout === 'vip' && holdsAddress(first[0])) return headerless('vip')
  if (layout === 'bulk' && holdsAddress(first[1])) return headerless('bulk')
  if (layout === 'auto') {
    // An event UID may look like an address (Google's do): an address in column 2 means bulk.
    if (holdsAddress(first[1])) return headerless('bulk')
    if (holdsAddress(first[0])) return headerless('vip')
  }
  const keys = first.map(headerKey)
  const find = (names: Set<string>) => keys.findIndex((key) => names.has(key))
  const uid = find(UID_HEADERS)
  const columns: Columns = {
    header: true,
    layout: layout === 'auto' ? (uid === -1 ? 'vip' : 'bulk') : layout,
    email: find(EMAIL_HEADERS),
    name: find(NAME_HEADERS),
    firstName: find(FIRST_NAME_HEADERS),
    lastName: find(LAST_NAME_HEADERS),
    uid: -1,
  }
  const found = first
    .map((cell) => cell.trim())
    .filter(Boolean)
    .slice(0, 10)
    .map((cell) => JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell))
    .join(', ')
  if (columns.email === -1) {
    throw new UnreadableList(
      `The file has no email column: its first row (${found}) holds no address and names no "email" column; name the columns "email" and "name", or put the address in column ${layout === 'bulk' ? 2 : 1}.`,
    )
  }
  if (columns.layout === 'bulk') {
    if (uid === -1) throw new UnreadableList(`The file has no event column: a bulk list needs a "uid" column naming each row's event, and its header has ${found}.`)
    columns.uid = uid
  }
  return columns
}

// ——— Rows ———

/**
 * A copy of a cell's text that holds none of the batch it was cut from: V8 keeps a substring
 * as a view of its parent string, so an entry kept for the summary would keep its whole
 * batch alive (measured: 40 MB more live heap after a million rows). Only what summaries
 * keep is copied (the value of a rejected row): a row to invite lives as long as its batch,
 * and copying its cells was a quarter of the reader's garbage.
 */
const own = (text: string) => (text.length > 12 ? (` ${text}`).slice(1) : text)

function entryOf(cells: string[], row: number, columns: Columns): ListEntry {
  const value = (cells[columns.email] ?? '').trim()
  if (!value) return { kind: 'invalid', row, value, reason: LIST_REASONS.missingAddress }
  const { address, displayName } = addressCell(value)
  if (!isMailAddress(address)) return { kind: 'invalid', row, value: own(value), reason: LIST_REASONS.invalidAddress }
  let uid: string | null = null
  if (columns.layout === 'bulk') {
    uid = (cells[columns.uid] ?? '').trim()
    if (!uid) return { kind: 'invalid', row, value: own(value), reason: LIST_REASONS.missingEvent }
  }
  const name = nameCell(cells, columns.name) || cleanName(`${nameCell(cells, columns.firstName)} ${nameCell(cells, columns.lastName)}`) || cleanName(displayName)
  return { kind: 'row', row, value, email: address, name: name || null, uid }
}

const nameCell = (cells: string[], index: number) => (index === -1 ? '' : cleanName(cells[index] ?? ''))

const ANGLED = /^(.*?)<\s*([^<>]*?)\s*>$/s

/** The address a cell holds (lower-cased; `mailto:` and a display name around it taken off) and that display name. */
export function addressCell(cell: string): { address: string; displayName: string } {
  const text = cell.trim()
  const angled = ANGLED.exec(text)
  const address = (angled ? angled[2]! : text).replace(/^mailto:/i, '').trim().toLowerCase()
  let displayName = angled ? angled[1]!.trim() : ''
  if (displayName.length > 1 && displayName.startsWith('"') && displayName.endsWith('"')) {
    displayName = displayName.slice(1, -1).replace(/\\(.)/g, '$1')
  }
  return { address, displayName }
}

const LINE_BREAKS_AND_TABS = /[\t\n\r]+/g
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g

/**
 * A name as kept: control characters removed (line breaks and tabs become a space), spaces
 * trimmed, at most MAX_NAME_LENGTH characters. Text that looks like a formula is kept as
 * written: the CSV writer neutralises it when a file is written.
 */
export function cleanName(raw: string): string {
  let name = raw.replace(LINE_BREAKS_AND_TABS, ' ').replace(CONTROLS, '').trim()
  if (name.length > MAX_NAME_LENGTH) {
    name = name.slice(0, MAX_NAME_LENGTH)
    // Do not keep half of a character outside the Basic Multilingual Plane.
    if (/[\ud800-\udbff]$/.test(name)) name = name.slice(0, -1)
    name = name.trimEnd()
  }
  return name
}

// ——— Duplicates ———

/**
 * The first row of each key seen, without keeping the keys: a 64-bit fingerprint of each
 * (two 32-bit lanes) and its row in typed arrays, open addressing, doubling at half full:
 * 12 bytes a slot: measured on a million addresses, 24 MB kept (and 0.5 s) where a Map of
 * the strings keeps 104 MB (and takes 1.2 s). The slots are split in PARTS tables by the
 * fingerprint's top bits, each doubling on its own, so a doubling holds old and new slots of
 * one part (0.4 MB at a million keys), not of the whole (12 MB old beside 24 MB new). Two
 * different keys with the same fingerprint would make the later a "duplicate": for n keys
 * the odds of any such pair are about n² / 2⁶⁵, one in 37 million for a million rows. Only
 * the list's author chooses its addresses, so a crafted collision harms no one else.
 */
export class FingerprintTable {
  private readonly parts = Array.from({ length: PARTS }, () => new FingerprintPart())
  private readonly hash = new Uint32Array(2)

  /** The row that first had this key, or 0 after recording it at this row (rows start at 1). */
  firstRowOrAdd(key: string, row: number): number {
    const hash = fingerprint(key, this.hash)
    return this.parts[hash[0]! >>> (32 - PART_BITS)]!.firstRowOrAdd(hash[0]!, hash[1]!, row)
  }
}

const PART_BITS = 6
const PARTS = 2 ** PART_BITS

/** One part of a FingerprintTable: its slots are chosen by the low lane, its part by the high one. */
class FingerprintPart {
  private high = new Uint32Array(64)
  private low = new Uint32Array(64)
  private rows = new Uint32Array(64)
  private size = 0

  firstRowOrAdd(fingerHigh: number, fingerLow: number, row: number): number {
    const mask = this.rows.length - 1
    for (let slot = fingerLow & mask; ; slot = (slot + 1) & mask) {
      const seen = this.rows[slot]!
      if (!seen) break
      if (this.low[slot] === fingerLow && this.high[slot] === fingerHigh) return seen
    }
    if (2 * (this.size + 1) > this.rows.length) this.grow()
    this.place(fingerHigh, fingerLow, row)
    this.size++
    return 0
  }

  private place(high: number, low: number, row: number) {
    const mask = this.rows.length - 1
    let slot = low & mask
    while (this.rows[slot]) slot = (slot + 1) & mask
    this.high[slot] = high
    this.low[slot] = low
    this.rows[slot] = row
  }

  private grow() {
    const { high, low, rows } = this
    this.high = new Uint32Array(rows.length * 2)
    this.low = new Uint32Array(rows.length * 2)
    this.rows = new Uint32Array(rows.length * 2)
    for (let slot = 0; slot < rows.length; slot++) if (rows[slot]) this.place(high[slot]!, low[slot]!, rows[slot]!)
  }
}

/** Two well-mixed 32-bit hashes of the text's UTF-16 code units (cyrb53's mixing, both lanes kept), written into `into`. */
function fingerprint(text: string, into: Uint32Array): Uint32Array {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index)
    h1 = Math.imul(h1 ^ unit, 2654435761)
    h2 = Math.imul(h2 ^ unit, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  into[0] = h2
  into[1] = h1
  return into
}
