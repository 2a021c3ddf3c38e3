/**
 * The inputs of a run: each one a seed file changed by one mutation, made from its own
 * seed (random.ts inputSeed), so a run's seed number and seed files name every input.
 *
 * Mail and calendars get the hostile shapes real senders and attackers produce: cut short,
 * bits flipped, broken and mislabelled encodings, invalid UTF-8, huge headers and lines, a
 * million short lines, MIME nested a thousand deep, giant attachments and base64 bombs,
 * calendars with a hundred thousand properties, expensive RRULEs and thousands of overrides. Lists get random
 * bytes, quotes, delimiters, BOMs, UTF-16, huge and formula cells and million-column rows.
 */
import type { ListLayout } from '../../server/domain/lists/list-entry'
import { inputSeed, seededRandom, type Random } from './random'
import type { InputKind, SeedFile } from './seeds'

export interface FuzzInput {
  kind: InputKind
  /** The seed file it was made from. */
  source: string
  /** What was done to it, in a few words. */
  mutation: string
  bytes: Uint8Array
  /** Lists only: the layout asked for, and the size of the pieces the bytes arrive in. */
  layout?: ListLayout | 'auto'
  chunkBytes?: number
}

const encoder = new TextEncoder()
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')
const fromLatin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'))
const utf8 = (text: string) => encoder.encode(text)
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts))

const KB = 1024
const MB = 1024 * KB

function randomBytes(r: Random, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let at = 0; at < length; at++) bytes[at] = r.int(256)
  return bytes
}

function randomText(r: Random, length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789'): string {
  let text = ''
  for (let at = 0; at < length; at++) text += alphabet[r.int(alphabet.length)]
  return text
}

// ——— Byte-level mutations (any kind) ———

type Mutation = (r: Random, bytes: Uint8Array) => { bytes: Uint8Array; mutation: string }

const truncate: Mutation = (r, bytes) => {
  const at = r.int(bytes.length + 1)
  return { bytes: bytes.subarray(0, at), mutation: `truncated at byte ${at} of ${bytes.length}` }
}

const flipBits: Mutation = (r, bytes) => {
  const out = bytes.slice()
  const flips = r.between(1, 64)
  for (let n = 0; n < flips && out.length; n++) out[r.int(out.length)]! ^= 1 << r.int(8)
  return { bytes: out, mutation: `${flips} bits flipped` }
}

const spliceBytes: Mutation = (r, bytes) => {
  const at = r.int(bytes.length + 1)
  const removed = r.int(Math.min(256, bytes.length - at) + 1)
  const inserted = randomBytes(r, r.int(64))
  return { bytes: concat(bytes.subarray(0, at), inserted, bytes.subarray(at + removed)), mutation: `${removed} bytes at ${at} replaced by ${inserted.length} random ones` }
}

const repeatSlice: Mutation = (r, bytes) => {
  const start = r.int(bytes.length + 1)
  const slice = bytes.subarray(start, start + r.between(1, 200))
  const times = r.pick([10, 1000, 20_000])
  const copies = new Uint8Array(Buffer.alloc(slice.length * times, Buffer.from(slice)))
  return { bytes: concat(bytes.subarray(0, start), copies, bytes.subarray(start)), mutation: `${slice.length} bytes at ${start} repeated ${times} times` }
}

const invalidUtf8: Mutation = (r, bytes) => {
  const bad = [[0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0x28], [0xf8, 0xa1, 0xa1, 0xa1, 0xa1], [0xed, 0xa0, 0x80], [0xff], [0xc0, 0xaf]]
  let out = bytes
  const count = r.between(1, 20)
  for (let n = 0; n < count; n++) {
    const at = r.int(out.length + 1)
    out = concat(out.subarray(0, at), new Uint8Array(r.pick(bad)), out.subarray(at))
  }
  return { bytes: out, mutation: `${count} invalid UTF-8 sequences inserted` }
}

const BYTE_MUTATIONS: Mutation[] = [truncate, flipBits, spliceBytes, repeatSlice, invalidUtf8]

// ——— Mail ———

const CHARSETS = ['utf-8', 'us-ascii', 'iso-8859-1', 'windows-1252', 'utf-16', 'utf-16be', 'utf-7', 'iso-2022-jp', 'shift_jis', 'x-unknown-charset', 'utf-8"; x="', '', 'binary']
const ENCODINGS = ['base64', 'quoted-printable', '7bit', '8bit', 'binary', 'x-uuencode', 'BASE64 ', 'quoted-printable; x=1', '']

/** A charset label or transfer encoding swapped for another (the body stays as it is). */
const relabel: Mutation = (r, bytes) => {
  let text = latin1(bytes)
  const what = r.chance(0.5) ? 'charset' : 'encoding'
  text =
    what === 'charset'
      ? text.replace(/charset="?[^";\r\n]*"?/gi, () => `charset=${r.pick(CHARSETS)}`)
      : text.replace(/^(Content-Transfer-Encoding:)[^\r\n]*/gim, (_, name: string) => `${name} ${r.pick(ENCODINGS)}`)
  return { bytes: fromLatin1(text), mutation: `${what} labels changed` }
}

/** Bodies in base64 or quoted-printable broken: stray characters, lost padding, bad escapes. */
const breakTransferEncoding: Mutation = (r, bytes) => {
  const text = latin1(bytes)
  const lines = text.split('\n')
  let changed = 0
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]!
    if (/^[A-Za-z0-9+/=]{16,}\r?$/.test(line) && r.chance(0.3)) {
      lines[at] = r.pick([line.replace(/=/g, ''), line.slice(0, r.int(line.length)), `${line}!*&`, `=${line}`, line.replace(/[A-Z]/g, '~'), '===='])
      changed++
    } else if (/=[0-9A-F]{2}|=\r?$/.test(line) && r.chance(0.3)) {
      lines[at] = r.pick([line.replace(/=([0-9A-F]{2})/g, '=Z$1'), `${line}=`, line.replace(/=\r?$/, '=\t'), `${line}=C3`])
      changed++
    }
  }
  return { bytes: fromLatin1(lines.join('\n')), mutation: `${changed} base64 / quoted-printable lines broken` }
}

/** Headers of a message and the rest. */
function headerEnd(text: string): number {
  const at = text.search(/\r?\n\r?\n/)
  return at < 0 ? text.length : at
}

const hugeHeader: Mutation = (r, bytes) => {
  const text = latin1(bytes)
  const end = headerEnd(text)
  const shape = r.pick(['one value of 4 MB', '20,000 headers', 'a folded subject of 100,000 lines', 'an encoded-word subject of 1 MB'] as const)
  const added =
    shape === 'one value of 4 MB'
      ? `\r\nX-Fuzz: ${'a'.repeat(4 * MB)}`
      : shape === '20,000 headers'
        ? Array.from({ length: 20_000 }, (_, n) => `\r\nX-Fuzz-${n}: ${n}`).join('')
        : shape === 'a folded subject of 100,000 lines'
          ? `\r\nSubject: ${Array.from({ length: 100_000 }, () => 'word').join('\r\n ')}`
          : `\r\nSubject: ${'=?utf-8?B?w6k=?= '.repeat(MB / 16)}`
  return { bytes: fromLatin1(text.slice(0, end) + added + text.slice(end)), mutation: `header: ${shape}` }
}

const longLine: Mutation = (r, bytes) => {
  const text = latin1(bytes)
  const at = r.int(text.length + 1)
  const size = r.pick([MB, 2 * MB])
  return { bytes: fromLatin1(text.slice(0, at) + r.pick(['x', '=', 'A', ' ', ';']).repeat(size) + text.slice(at)), mutation: `a line of ${size / MB} MB at ${at}` }
}

/** Very many short lines in the body: what costs a MIME parser memory is lines, not bytes. */
const manyLines: Mutation = (r, bytes) => {
  const text = latin1(bytes)
  const end = headerEnd(text)
  const at = end + r.int(text.length - end + 1)
  const count = r.pick([150_000, 1_000_000])
  const line = r.pick(['', 'a', 'BEGIN:VEVENT', '='])
  return { bytes: fromLatin1(text.slice(0, at) + `${line}\r\n`.repeat(count) + text.slice(at)), mutation: `${count.toLocaleString('en')} lines of ${JSON.stringify(line)} in the body` }
}

const MAIL_MUTATIONS: Mutation[] = [...BYTE_MUTATIONS, relabel, relabel, breakTransferEncoding, breakTransferEncoding, hugeHeader, longLine, manyLines]

// ——— Mail made around a calendar ———

function mailAround(r: Random, calendar: Uint8Array, body: string): Uint8Array {
  const encoding = r.pick(['base64', '8bit', 'quoted-printable'] as const)
  const content =
    encoding === 'base64'
      ? Buffer.from(calendar).toString('base64').replace(/.{76}/g, '$&\r\n')
      : encoding === 'quoted-printable'
        ? latin1(calendar).replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
        : latin1(calendar)
  const head =
    'From: Organizer <organizer@example.com>\r\nTo: create@events.localhost\r\nSubject: Fuzz\r\nMessage-ID: <fuzz@example.com>\r\nMIME-Version: 1.0\r\n'
  const part = `Content-Type: text/calendar; charset=${r.pick(['utf-8', 'utf-8', 'iso-8859-1', 'x-unknown'])}; method=REQUEST\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${content}\r\n`
  return fromLatin1(`${head}${body.replace('PART', part)}`)
}

/** MIME nested `depth` deep, the calendar in the innermost part. */
function nestedMime(r: Random, calendar: Uint8Array, depth: number): Uint8Array {
  let open = ''
  let close = ''
  for (let level = 0; level < depth; level++) {
    open += `${level ? '' : ''}Content-Type: multipart/${r.pick(['mixed', 'alternative', 'related'])}; boundary="b${level}"\r\n\r\n--b${level}\r\n`
    close = `\r\n--b${level}--\r\n${close}`
  }
  return mailAround(r, calendar, `${open}PART${close}`)
}

/** A giant attachment beside the calendar, or a bomb of many parts. */
function bulkyMail(r: Random, calendar: Uint8Array): { bytes: Uint8Array; mutation: string } {
  const shape = r.pick(['an attachment of 24 MB', '50,000 tiny base64 parts', 'base64 one character a line', 'a base64 calendar of 8 MB'] as const)
  const boundary = 'fuzz-boundary'
  const wrap = (parts: string) => `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\nPART${parts}\r\n--${boundary}--\r\n`
  let parts: string
  if (shape === 'an attachment of 24 MB') {
    const body = Buffer.alloc(18 * MB, r.int(256)).toString('base64').replace(/.{76}/g, '$&\r\n')
    parts = `\r\n--${boundary}\r\nContent-Type: application/octet-stream; name="big.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`
  } else if (shape === '50,000 tiny base64 parts') {
    parts = Array.from({ length: 50_000 }, (_, n) => `\r\n--${boundary}\r\nContent-Type: text/calendar\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(`BEGIN:VCALENDAR ${n}`).toString('base64')}`).join('')
  } else if (shape === 'base64 one character a line') {
    const body = Buffer.from(calendar).toString('base64').split('').join('\r\n')
    parts = `\r\n--${boundary}\r\nContent-Type: application/ics; name="invite.ics"\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`
  } else {
    const big = manyProperties(r, calendar, 'ATTENDEE', 100_000).bytes
    parts = `\r\n--${boundary}\r\nContent-Type: application/ics; name="invite.ics"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(big).toString('base64').replace(/.{76}/g, '$&\r\n')}`
  }
  return { bytes: mailAround(r, calendar, wrap(parts)), mutation: shape }
}

// ——— Calendars ———

/** Lines inserted before the first END:VEVENT (or the end). */
function insertInEvent(calendar: Uint8Array, lines: string): Uint8Array {
  const text = latin1(calendar)
  const at = text.search(/^END:VEVENT/im)
  const where = at < 0 ? text.length : at
  return fromLatin1(text.slice(0, where) + lines + text.slice(where))
}

function manyProperties(r: Random, calendar: Uint8Array, name: string, count: number): { bytes: Uint8Array; mutation: string } {
  const line = (n: number) =>
    name === 'ATTENDEE'
      ? `ATTENDEE;CN=Person ${n};PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:person${n}@example.com\r\n`
      : name === 'EXDATE'
        ? `EXDATE:${20260101 + (n % 28)}T${String(n % 24).padStart(2, '0')}0000Z\r\n`
        : name === 'RDATE'
          ? `RDATE;VALUE=PERIOD:${2026 + (n % 50)}0101T000000Z/PT1H\r\n`
          : `X-FUZZ-${n}:${randomText(r, 8)}\r\n`
  let lines = ''
  for (let n = 0; n < count; n++) lines += line(n)
  return { bytes: insertInEvent(calendar, lines), mutation: `${count.toLocaleString('en')} ${name} properties` }
}

const EXPENSIVE_RULES = [
  'FREQ=SECONDLY;COUNT=100000000',
  'FREQ=SECONDLY',
  'FREQ=MINUTELY;BYSECOND=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59',
  'FREQ=DAILY;UNTIL=99991231T235959Z',
  'FREQ=YEARLY;INTERVAL=2147483647',
  'FREQ=DAILY;INTERVAL=0',
  'FREQ=HOURLY;INTERVAL=-1;COUNT=-5',
  'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
  'FREQ=MONTHLY;BYDAY=5FR;BYSETPOS=-1;COUNT=100000000',
  'FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,15,30,45',
  'FREQ=SECONDLY;UNTIL=20991231T000000Z;BYSECOND=0,30',
  'FREQ=WEEKLY;BYDAY=MO;UNTIL=1900-01-01',
  `FREQ=DAILY;COUNT=${'9'.repeat(400)}`,
  'FREQ=DAILY;BYDAY=' + Array.from({ length: 5000 }, () => 'MO').join(','),
]

function expensiveRule(r: Random, calendar: Uint8Array): { bytes: Uint8Array; mutation: string } {
  const rule = r.pick(EXPENSIVE_RULES)
  const text = latin1(calendar).replace(/^RRULE:[^\r\n]*\r?\n/gim, '')
  return { bytes: insertInEvent(fromLatin1(text), `RRULE:${rule}\r\n`), mutation: `RRULE:${rule.slice(0, 80)}` }
}

function manyOverrides(r: Random, calendar: Uint8Array): { bytes: Uint8Array; mutation: string } {
  const text = latin1(calendar)
  const uid = /^UID:([^\r\n]*)/im.exec(text)?.[1] ?? 'fuzz-uid'
  const count = r.pick([1000, 10_000])
  let events = ''
  for (let n = 0; n < count; n++) {
    events += `BEGIN:VEVENT\r\nUID:${uid}\r\nRECURRENCE-ID:${2026 + Math.floor(n / 365)}${String((n % 12) + 1).padStart(2, '0')}${String((n % 28) + 1).padStart(2, '0')}T090000Z\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T110000Z\r\nSUMMARY:Moved ${n}\r\nSEQUENCE:${n}\r\nORGANIZER:mailto:organizer@example.com\r\nEND:VEVENT\r\n`
  }
  const at = text.search(/^END:VCALENDAR/im)
  const where = at < 0 ? text.length : at
  return { bytes: fromLatin1(text.slice(0, where) + events + text.slice(where)), mutation: `${count.toLocaleString('en')} overrides` }
}

function deepComponents(r: Random, calendar: Uint8Array): { bytes: Uint8Array; mutation: string } {
  const depth = r.pick([1000, 10_000])
  const name = r.pick(['VALARM', 'X-FUZZ', 'VEVENT'])
  return { bytes: insertInEvent(calendar, `BEGIN:${name}\r\n`.repeat(depth) + `END:${name}\r\n`.repeat(depth)), mutation: `${name} nested ${depth} deep` }
}

function calendarTweak(r: Random, calendar: Uint8Array): { bytes: Uint8Array; mutation: string } {
  const text = latin1(calendar)
  const tweak = r.pick(['method', 'tzid', 'long summary', 'dates', 'organizer'] as const)
  const replaced =
    tweak === 'method'
      ? text.replace(/^METHOD:[^\r\n]*/im, `METHOD:${r.pick(['REPLY', 'CANCEL', 'COUNTER', 'REFRESH', 'ADD', 'DECLINECOUNTER', 'PUBLISH', '', 'REQUEST;X=1', 'request'])}`)
      : tweak === 'tzid'
        ? text.replace(/TZID=[^:;\r\n]*/gi, () => `TZID=${r.pick(['"Eastern"', 'America/New_York', 'Nowhere/Else', '', '"a:b;c"', 'UTC', '+05:00', 'W. Europe Standard Time'])}`)
        : tweak === 'long summary'
          ? text.replace(/^SUMMARY[^\r\n]*/im, `SUMMARY:${'é'.repeat(r.pick([10_000, 500_000]))}`)
          : tweak === 'dates'
            ? text.replace(/\d{8}(T\d{6}Z?)?/g, () => r.pick(['00000000T000000Z', '99991231T235959Z', '20261301', '2026022' + '9T250000', '19700101', '20260101T000000Z', '']))
            : text.replace(/^ORGANIZER[^\r\n]*/im, r.pick(['ORGANIZER:mailto:', 'ORGANIZER:mailto:"a b"@example.com', 'ORGANIZER;CN="x\r\n":mailto:x@y', 'ORGANIZER:invalid', `ORGANIZER:mailto:${'a'.repeat(5000)}@example.com`]))
  return { bytes: fromLatin1(replaced), mutation: `calendar: ${tweak} changed` }
}

function calendarMutation(r: Random, calendar: Uint8Array): { bytes: Uint8Array; mutation: string } {
  switch (r.int(9)) {
    case 0:
      return manyProperties(r, calendar, r.pick(['ATTENDEE', 'EXDATE', 'RDATE', 'X-FUZZ']), r.pick([1000, 100_000]))
    case 1:
    case 2:
      return expensiveRule(r, calendar)
    case 3:
      return manyOverrides(r, calendar)
    case 4:
      return deepComponents(r, calendar)
    case 5:
    case 6:
      return calendarTweak(r, calendar)
    default: {
      const mutate = r.pick([...BYTE_MUTATIONS, longLine])
      return mutate(r, calendar)
    }
  }
}

// ——— Lists ———

const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+cmd|" /C calc"!A0', '-2+3', '@SUM(A1:A2)', '=1+1', '\t=1', '\r=1', '=cmd|\'/c calc\'!A1']

function randomCell(r: Random): string {
  switch (r.int(9)) {
    case 0:
      return `person${r.int(1000)}@example.com`
    case 1:
      return `"${randomText(r, r.int(20), 'ab ",;\t\n')}"`
    case 2:
      return r.pick(FORMULAS)
    case 3:
      return `"Name, ${randomText(r, 5)}" <p${r.int(100)}@example.com>`
    case 4:
      return randomText(r, r.int(30), 'abc@.,;"\'\t |<>é\u00a0\u200b')
    case 5:
      return `${randomText(r, 4)}@${randomText(r, 4)}.${r.pick(['com', 'xn--p1ai', 'localhost', ''])}`
    case 6:
      return r.pick(['email', 'name', 'event', 'uid', 'E-mail Address', 'First Name'])
    default:
      return randomText(r, r.int(12))
  }
}

function randomList(r: Random): { bytes: Uint8Array; mutation: string } {
  const delimiter = r.pick([',', ';', '\t', '|', ' ', ''])
  const lineEnd = r.pick(['\n', '\r\n', '\r', '\n\r'])
  const rows = r.pick([1, 5, 50, 2000])
  const columns = r.between(1, 6)
  const lines: string[] = []
  for (let row = 0; row < rows; row++) lines.push(Array.from({ length: r.between(1, columns) }, () => randomCell(r)).join(delimiter))
  return { bytes: utf8(lines.join(lineEnd)), mutation: `random list: ${rows} rows, delimiter ${JSON.stringify(delimiter)}, line end ${JSON.stringify(lineEnd)}` }
}

function hostileList(r: Random, seed: Uint8Array): { bytes: Uint8Array; mutation: string } {
  const text = Buffer.from(seed).toString('utf8')
  const shape = r.pick(['UTF-16LE with BOM', 'UTF-16BE with BOM', 'UTF-8 BOM twice', 'a cell of 4 MB', 'a row of a million columns', 'formula cells', 'an unclosed quote', 'random bytes', '100,000 rows', 'NUL bytes', 'a BOM and no rows'] as const)
  let bytes: Uint8Array
  switch (shape) {
    case 'UTF-16LE with BOM':
      bytes = concat(new Uint8Array([0xff, 0xfe]), new Uint8Array(Buffer.from(text, 'utf16le')))
      break
    case 'UTF-16BE with BOM':
      bytes = concat(new Uint8Array([0xfe, 0xff]), new Uint8Array(Buffer.from(text, 'utf16le').swap16()))
      break
    case 'UTF-8 BOM twice':
      bytes = utf8(`\uFEFF\uFEFF${text}`)
      break
    case 'a cell of 4 MB':
      bytes = utf8(`${text}\n"${'x'.repeat(4 * MB)}@example.com",Name\n`)
      break
    case 'a row of a million columns':
      bytes = utf8(`${text}\nperson@example.com${','.repeat(1_000_000)}\n`)
      break
    case 'formula cells':
      bytes = utf8(text.replace(/^[^,;\n]*/gm, () => r.pick(FORMULAS)))
      break
    case 'an unclosed quote':
      bytes = utf8(`${text}\n"unclosed@example.com,${'a,'.repeat(r.pick([10, 100_000]))}`)
      break
    case 'random bytes':
      bytes = randomBytes(r, r.pick([16, 4 * KB, 256 * KB]))
      break
    case '100,000 rows':
      bytes = utf8(`email,name\n${Array.from({ length: 100_000 }, (_, n) => `p${n % 50_000}@example.com,P ${n}`).join('\n')}`)
      break
    case 'NUL bytes':
      bytes = utf8(text.replace(/,/g, '\u0000,'))
      break
    case 'a BOM and no rows':
      bytes = utf8(`\uFEFF${'\n'.repeat(r.int(1000))}`)
      break
  }
  return { bytes, mutation: shape }
}

function listMutation(r: Random, seed: Uint8Array): { bytes: Uint8Array; mutation: string } {
  const roll = r.int(6)
  if (roll < 2) return randomList(r)
  if (roll < 4) return hostileList(r, seed)
  return r.pick(BYTE_MUTATIONS)(r, seed)
}

// ——— One input ———

const LAYOUTS = ['auto', 'auto', 'vip', 'bulk'] as const

/** Input `index` of the run seeded `runSeed` over these seed files. */
export function makeInput(seeds: readonly SeedFile[], runSeed: number, index: number): FuzzInput {
  const r = seededRandom(inputSeed(runSeed, index))
  const seed = r.pick(seeds)
  const calendars = seeds.filter((file) => file.kind === 'calendar')
  if (seed.kind === 'list') {
    const { bytes, mutation } = listMutation(r, seed.bytes)
    // Tiny pieces only for small files: a stream delivers large ones in 64 KB chunks.
    const chunkBytes = bytes.length < 64 * KB ? r.pick([1, 7, 4096, 64 * KB]) : 64 * KB
    return { kind: 'list', source: seed.name, mutation, bytes, layout: r.pick(LAYOUTS), chunkBytes }
  }
  if (seed.kind === 'calendar') {
    const { bytes, mutation } = calendarMutation(r, seed.bytes)
    // Half the calendars arrive in a mail, as the pipeline receives them.
    if (r.chance(0.5)) return { kind: 'calendar', source: seed.name, mutation, bytes }
    return { kind: 'mail', source: seed.name, mutation: `${mutation}, sent in a mail`, bytes: mailAround(r, bytes, 'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nPART\r\n--m--\r\n') }
  }
  const roll = r.int(10)
  if (roll === 0 && calendars.length) {
    const [depth, calendar] = [r.pick([100, 1000, 5000]), r.pick(calendars)]
    return { kind: 'mail', source: calendar.name, mutation: `MIME nested ${depth} deep`, bytes: nestedMime(r, calendar.bytes, depth) }
  }
  if (roll === 1 && calendars.length) {
    const calendar = r.pick(calendars)
    const { bytes, mutation } = bulkyMail(r, calendar.bytes)
    return { kind: 'mail', source: calendar.name, mutation, bytes }
  }
  const { bytes, mutation } = r.pick(MAIL_MUTATIONS)(r, seed.bytes)
  return { kind: 'mail', source: seed.name, mutation, bytes }
}
