/**
 * Cursors of paginated lists: a DynamoDB LastEvaluatedKey as opaque base64url text, read
 * back only when it is one this server could have given out (`readCursor`), so a crafted
 * cursor is refused, never passed to DynamoDB.
 */
export class InvalidCursor extends Error {
  constructor() {
    super('The cursor is not one this server gave out.')
    this.name = 'InvalidCursor'
  }
}

export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>
  } catch {
    // fall through
  }
  throw new InvalidCursor()
}

/** A cursor the list gave out: exactly these string attributes, passing `check`; else InvalidCursor. */
export function readCursor(cursor: string | undefined, attributes: string[], check: (key: Record<string, string>) => boolean): Record<string, unknown> | undefined {
  const key = decodeCursor(cursor)
  if (!key) return undefined
  const names = Object.keys(key).sort()
  const expected = [...attributes].sort()
  const valid =
    names.length === expected.length &&
    names.every((name, index) => name === expected[index] && typeof key[name] === 'string') &&
    check(key as Record<string, string>)
  if (!valid) throw new InvalidCursor()
  return key
}
