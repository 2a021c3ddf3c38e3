/**
 * Cursors of paginated lists: a DynamoDB LastEvaluatedKey as opaque base64url text, read
 * back only when it is one this server could have given out.
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
