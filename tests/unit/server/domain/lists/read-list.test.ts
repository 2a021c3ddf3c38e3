import { describe, it, expect } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { FingerprintTable, guessDelimiter, readList, type ReadListOptions } from '../../../../../server/domain/lists/read-list'
import { summarizeList } from '../../../../../server/domain/lists/summarize-list'
import { LIST_REASONS, UnreadableList, type ListEntry } from '../../../../../server/domain/lists/list-entry'
import { GENERATED_LISTS } from '../../../../fixtures/lists/generated'

const FIXTURES = join(import.meta.dirname, '../../../../fixtures/lists')
const fixture = (name: string): Uint8Array =>
  name in GENERATED_LISTS ? GENERATED_LISTS[name as keyof typeof GENERATED_LISTS] : readFileSync(join(FIXTURES, name))

/** The bytes as a stream of chunks of this size (all at once without one). */
async function* chunks(bytes: Uint8Array, size = bytes.byteLength || 1): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.byteLength; start += size) yield bytes.subarray(start, start + size)
}

async function read(input: string | Uint8Array, options: Partial<ReadListOptions> & { chunk?: number } = {}): Promise<ListEntry[]> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  const entries: ListEntry[] = []
  for await (const entry of readList(chunks(bytes, options.chunk), { layout: options.layout ?? 'auto', maxBytes: options.maxBytes ?? 1024 * 1024 })) {
    entries.push(entry)
  }
  return entries
}
const readFixture = (name: string, options: Partial<ReadListOptions> = {}) => read(fixture(name), options)
const unreadable = async (input: string | Uint8Array, options: Partial<ReadListOptions> = {}): Promise<string> => {
  const error = await read(input, options).then(() => null, (error: unknown) => error)
  expect(error).toBeInstanceOf(UnreadableList)
  return (error as UnreadableList).message
}

const row = (row: number, email: string, name: string | null, value = email, uid: string | null = null): ListEntry => ({ kind: 'row', row, value, email, name, uid })
const invalid = (row: number, value: string, reason: string): ListEntry => ({ kind: 'invalid', row, value, reason: reason as never })
const duplicate = (row: number, value: string, firstRow: number): ListEntry => ({ kind: 'duplicate', row, value, firstRow })
const ANN_AND_BOB = [row(2, 'ann@example.org', 'Ann Archer'), row(3, 'bob@example.org', 'Bob Baker')]

describe('readList', () => {
  it.each([
    ['comma.csv', ANN_AND_BOB],
    ['crlf.csv', ANN_AND_BOB],
    ['cr-only.csv', ANN_AND_BOB],
    ['utf8-bom.csv', ANN_AND_BOB],
    ['utf16le.csv', [row(2, 'ann@example.org', 'Zoë Müller'), row(3, 'bob@example.org', 'Bob Baker')]],
    ['utf16be.csv', [row(2, 'ann@example.org', 'Zoë Müller'), row(3, 'bob@example.org', 'Bob Baker')]],
    ['semicolon.csv', [row(2, 'ann@example.org', 'Archer, Ann'), row(3, 'bob@example.org', 'Bob Baker')]],
    ['tab.tsv', ANN_AND_BOB],
    // A quoted cell may hold the delimiter, quotes and a line break (the record stays one row).
    ['quoted.csv', [row(2, 'ann@example.org', 'Archer, Ann'), row(3, 'bob@example.org', 'Bob "The Builder" Baker'), row(4, 'cy@example.org', 'Cy Cyrus')]],
    ['headerless.csv', [row(1, 'ann@example.org', 'Ann Archer'), row(2, 'bob@example.org', null, 'Bob@Example.ORG'), row(3, 'cy@example.org', 'Cy')]],
    ['one-column.csv', [row(1, 'ann@example.org', null), row(2, 'bob@example.org', null)]],
    ['first-last.csv', [row(2, 'ann@example.org', 'Ann Archer'), row(3, 'bob@example.org', 'Baker'), row(4, 'cy@example.org', null)]],
    [
      'display-names.csv',
      [
        row(2, 'ann@example.org', 'Ann Archer', 'Ann Archer <ann@example.org>'),
        row(3, 'jane@example.org', 'Doe, Jane', '"Doe, Jane" <jane@example.org>'),
        // The name column, when filled, wins over the display name.
        row(4, 'bob@example.org', 'Robert Baker', 'Bob <bob@example.org>'),
        row(5, 'cy@example.org', 'Cy', 'mailto:cy@example.org'),
        row(6, 'dee@example.org', null, '<dee@example.org>'),
      ],
    ],
    [
      'duplicates.csv',
      [row(2, 'ann@example.org', 'Ann'), row(3, 'bob@example.org', 'Bob'), duplicate(4, 'ANN@example.org', 2), duplicate(6, 'bob@EXAMPLE.org', 3), duplicate(7, 'ann@example.org', 2)],
    ],
    [
      'bad-rows.csv',
      [
        row(2, 'ann@example.org', 'Ann'),
        invalid(3, 'not-an-address', LIST_REASONS.invalidAddress),
        invalid(4, '', LIST_REASONS.missingAddress),
        invalid(5, 'ann@', LIST_REASONS.invalidAddress),
        // Row 6 is a blank line: counted in the numbering, not an entry.
        invalid(7, 'a b@example.org', LIST_REASONS.invalidAddress),
        row(8, 'bob@example.org', 'Bob'),
      ],
    ],
    // Names are kept as written; the CSV writer neutralises formulas when a file is written.
    ['formula-names.csv', [row(2, 'ann@example.org', '=HYPERLINK("http://evil.example","x")'), row(3, 'bob@example.org', '+1+2'), row(4, 'cy@example.org', '@SUM(A1)')]],
    [
      'bulk.csv',
      [
        row(2, 'ann@example.org', 'Ann', 'ann@example.org', 'event-1@example.org'),
        // The same address for another event is no duplicate.
        row(3, 'ann@example.org', 'Ann', 'ann@example.org', 'event-2@example.org'),
        invalid(4, 'bob@example.org', LIST_REASONS.missingEvent),
        duplicate(5, 'ANN@example.org', 2),
        row(6, 'cy@example.org', 'Cy', 'cy@example.org', 'event-2@example.org'),
      ],
    ],
    ['bulk-semicolon.csv', [row(2, 'ann@example.org', 'Ann', 'ann@example.org', 'event-1@example.org')]],
    // Header-less with an address in column 2: the bulk layout (a UID may look like an address).
    ['bulk-headerless.csv', [row(1, 'ann@example.org', 'Ann', 'ann@example.org', 'event-1@example.org'), row(2, 'bob@example.org', null, 'bob@example.org', 'event-1@example.org')]],
  ])('reads %s', async (name, expected) => {
    expect(await readFixture(name)).toEqual(expected)
  })

  it.each([
    ['semicolons', 'email;name\r\n"Doe, Jane" <jane@example.org>;\r\nbob@example.org;Bob\r\n', ['jane@example.org', 'Doe, Jane', 2]],
    ['commas', 'name,email\nJane,"Doe, Jane" <jane@example.org>\nBob,bob@example.org\n', ['jane@example.org', 'Jane', 2]],
    ['pasted lines', '"Doe, Jane" <jane@example.org>\n  "Bob" <bob@example.org>  \n', ['jane@example.org', 'Doe, Jane', 1]],
  ] as const)('reads "Name" <address> written into the file as mail clients copy it (%s), not as CSV quotes it', async (_, text, [email, name, firstRow]) => {
    for (const chunk of [undefined, 1, 7]) {
      const entries = await read(text, { chunk })
      expect(entries.map((entry) => entry.kind)).toEqual(['row', 'row'])
      expect(entries[0]).toMatchObject({ kind: 'row', row: firstRow, email, name })
      expect(entries[1]).toMatchObject({ kind: 'row', email: 'bob@example.org' })
    }
  })

  it('reads the layout it is told: vip ignores an event column, bulk takes a header-less file as uid,email,name', async () => {
    expect(await readFixture('bulk.csv', { layout: 'vip' })).toEqual([
      row(2, 'ann@example.org', 'Ann'),
      duplicate(3, 'ann@example.org', 2),
      row(4, 'bob@example.org', 'Bob'),
      duplicate(5, 'ANN@example.org', 2),
      row(6, 'cy@example.org', 'Cy'),
    ])
    expect(await read('e1,ann@example.org,Ann\n', { layout: 'bulk' })).toEqual([row(1, 'ann@example.org', 'Ann', 'ann@example.org', 'e1')])
    expect(await read('uid,email\n,ann@example.org\n', { layout: 'bulk' })).toEqual([invalid(2, 'ann@example.org', LIST_REASONS.missingEvent)])
  })

  it('finds header names whatever their case, spacing and order, after leading blank lines', async () => {
    expect(await read('\n\n  Display Name ; E-MAIL ADDRESS \nAnn;ANN@example.org\n')).toEqual([row(4, 'ann@example.org', 'Ann', 'ANN@example.org')])
  })

  it('cleans names: control characters removed, line breaks and tabs a space, at most 200 characters', { tags: ['security'] }, async () => {
    const long = `${'a'.repeat(199)}😀tail`
    const entries = await read(`email,name\nann@example.org,"  Ann\u0007\r\n\tArcher\u0000 "\nbob@example.org,${long}\ncy@example.org,${'b'.repeat(250)}\n`).catch((error) => error)
    // A NUL is not text: the file is refused before any name is cleaned.
    expect(entries).toBeInstanceOf(UnreadableList)
    expect(await read(`email,name\nann@example.org,"  Ann\u0007\r\n\tArcher\u009b "\nbob@example.org,${long}\ncy@example.org,${'b'.repeat(250)}\n`)).toEqual([
      row(2, 'ann@example.org', 'Ann Archer'),
      // The emoji is two UTF-16 units across the limit: not cut in half.
      row(3, 'bob@example.org', 'a'.repeat(199)),
      row(4, 'cy@example.org', 'b'.repeat(200)),
    ])
  })

  it.each([
    ['empty.csv', 'The file is empty: it has no rows, only blank lines or nothing.'],
    ['blank-only.csv', 'The file is empty: it has no rows, only blank lines or nothing.'],
    ['header-only.csv', 'The file has a header row but no rows under it.'],
    [
      'wrong-columns.csv',
      'The file has no email column: its first row ("Name", "Phone") holds no address and names no "email" column; name the columns "email" and "name", or put the address in column 1.',
    ],
    ['invalid-utf8.csv', 'The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8 and send that.'],
    ['nul.csv', 'This is not a text file: send the list as a CSV file, one address a row.'],
    ['image.png', 'This is a PNG image, not a CSV file of addresses.'],
    ['photo.jpg', 'This is a JPEG image, not a CSV file of addresses.'],
    ['anim.gif', 'This is a GIF image, not a CSV file of addresses.'],
    ['document.pdf', 'This is a PDF document, not a CSV file of addresses.'],
    ['workbook.xlsx', 'This is an Excel workbook (or another zip file), not a CSV file: save it as CSV UTF-8 and send that.'],
  ])('refuses %s with one sentence', async (name, sentence) => {
    expect(await unreadable(fixture(name))).toBe(sentence)
  })

  it('refuses a bulk list without an event column, naming the columns it found', async () => {
    expect(await unreadable(fixture('bulk-no-uid.csv'), { layout: 'bulk' })).toBe(
      'The file has no event column: a bulk list needs a "uid" column naming each row\'s event, and its header has "email", "name".',
    )
  })

  it('refuses a file over the size limit, saying the limit in MB, without reading it all', async () => {
    let given = 0
    async function* endless(): AsyncGenerator<Uint8Array> {
      const line = new TextEncoder().encode('someone@example.org,Someone\n'.repeat(1000))
      for (;;) {
        given += line.byteLength
        yield line
      }
    }
    const reading = summarizeList(readList(endless(), { layout: 'vip', maxBytes: 2 * 1024 * 1024 }))
    await expect(reading).rejects.toThrow(new UnreadableList('The file is larger than the 2 MB a list may have: split it into smaller files.'))
    expect(given).toBeLessThan(2 * 1024 * 1024 + 30_000)
  })

  it.each([...readdirSync(FIXTURES).filter((name) => /\.(csv|tsv)$/.test(name)), ...Object.keys(GENERATED_LISTS)])(
    'gives the same for %s whether the bytes come at once, one at a time or seven at a time',
    async (name) => {
      const layout = name === 'bulk-no-uid.csv' ? 'bulk' : 'auto'
      const outcome = (chunk?: number) => read(fixture(name), { layout, chunk }).catch((error: Error) => error.message)
      const whole = await outcome()
      expect(await outcome(1)).toEqual(whole)
      expect(await outcome(7)).toEqual(whole)
    },
  )

  it('reads a file larger than one parse batch the same in any chunking, row numbers running on', async () => {
    const lines = ['email;name']
    for (let index = 0; index < 5000; index++) lines.push(index % 1000 === 999 ? '' : `"user${index}@example.org";"Name; ${index}\nnext line"`)
    const text = lines.join('\r\n')
    const whole = await read(text)
    expect(whole).toHaveLength(4995)
    // The last line (index 4999) is blank: the last entry is on row 5000.
    expect(whole.at(-1)).toEqual(row(5000, 'user4998@example.org', 'Name; 4998 next line'))
    expect(await read(text, { chunk: 7 })).toEqual(whole)
    expect(await read(text, { chunk: 65_536 })).toEqual(whole)
  })
})

describe('guessDelimiter', () => {
  it.each([
    ['email,name\na@example.org,A\n', ','],
    ['email;name\na@example.org;"A, B"\nb@example.org;B\n', ';'],
    ['email\tname\na@example.org\tA, B; C\n', '\t'],
    ['"Doe, Jane" <jane@example.org>;Jane\nann@example.org;Ann\n', ';'],
    ['a@example.org\nb@example.org\n', ','],
  ])('%j → %j', (sample, delimiter) => {
    expect(guessDelimiter(sample)).toBe(delimiter)
  })
})

describe('FingerprintTable', () => {
  it('gives the first row of a key seen again and 0 for a new one, through many doublings', () => {
    const table = new FingerprintTable()
    for (let index = 1; index <= 200_000; index++) expect(table.firstRowOrAdd(`user${index}@example.org`, index)).toBe(0)
    expect(table.firstRowOrAdd('user1@example.org', 200_001)).toBe(1)
    expect(table.firstRowOrAdd('user123456@example.org', 200_002)).toBe(123_456)
    expect(table.firstRowOrAdd('e1\u0000user1@example.org', 200_003)).toBe(0)
  })
})

describe('summarizeList', () => {
  it('counts the data rows and the valid ones and lists the rest', async () => {
    expect(await summarizeList(readList(chunks(fixture('bad-rows.csv')), { layout: 'auto', maxBytes: 1024 }))).toEqual({
      rows: 6,
      valid: 2,
      invalid: [
        { row: 3, value: 'not-an-address', reason: LIST_REASONS.invalidAddress },
        { row: 4, value: '', reason: LIST_REASONS.missingAddress },
        { row: 5, value: 'ann@', reason: LIST_REASONS.invalidAddress },
        { row: 7, value: 'a b@example.org', reason: LIST_REASONS.invalidAddress },
      ],
      duplicates: [],
    })
    expect(await summarizeList(readList(chunks(fixture('duplicates.csv')), { layout: 'auto', maxBytes: 1024 }))).toMatchObject({
      rows: 5,
      valid: 2,
      duplicates: [
        { row: 4, value: 'ANN@example.org', firstRow: 2 },
        { row: 6, value: 'bob@EXAMPLE.org', firstRow: 3 },
        { row: 7, value: 'ann@example.org', firstRow: 2 },
      ],
    })
  })
})

describe('a 100,000-row file', () => {
  it('is read to the last row, duplicates found across the whole file and bad rows by their numbers', async () => {
    // Every 10,000th row repeats the file's first address in capitals; every 25,000th is broken.
    const lines = ['email,name']
    for (let index = 1; index <= 100_000; index++) {
      if (index % 10_000 === 0) lines.push(`GUEST1@SCALE.EXAMPLE,Again ${index}`)
      else if (index % 25_000 === 5) lines.push(`guest${index}@,Broken`)
      else lines.push(`guest${index}@scale.example,Guest ${index}`)
    }
    const summary = await summarizeList(readList(chunks(new TextEncoder().encode(lines.join('\r\n')), 64 * 1024), { layout: 'vip', maxBytes: 50 * 1024 * 1024 }))
    expect(summary.rows).toBe(100_000)
    expect(summary.duplicates).toEqual(Array.from({ length: 10 }, (_, k) => ({ row: (k + 1) * 10_000 + 1, value: 'GUEST1@SCALE.EXAMPLE', firstRow: 2 })))
    expect(summary.invalid).toEqual([5, 25_005, 50_005, 75_005].map((index) => ({ row: index + 1, value: `guest${index}@`, reason: LIST_REASONS.invalidAddress })))
    expect(summary.valid).toBe(100_000 - 10 - 4)
  })
})
