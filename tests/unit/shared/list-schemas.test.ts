import { describe, it, expect } from 'vitest'
import { BatchInviteBodySchema, ListCreateBodySchema, MAX_BATCH_ROWS, MAX_PASTED_LIST_CHARACTERS } from '../../../shared/schemas/lists'

const firstMessage = (result: { success: boolean; error?: { issues: { message: string }[] } }) => result.error?.issues[0]?.message

describe('the list schemas refuse too much in one sentence (made when refused, not when loaded)', () => {
  it('a pasted list over the limit', () => {
    const result = ListCreateBodySchema.safeParse({ text: 'a'.repeat(MAX_PASTED_LIST_CHARACTERS + 1) })
    expect(result.success).toBe(false)
    expect(JSON.stringify(result.error?.issues)).toContain('That is too much to paste (200,000 characters at most); upload it as a file.')
  })

  it('a batch call over the limit', () => {
    const rows = Array.from({ length: MAX_BATCH_ROWS + 1 }, (_, index) => ({ uid: 'u', email: `a${index}@example.com` }))
    expect(firstMessage(BatchInviteBodySchema.safeParse(rows))).toBe('Send 1,000 rows a call at most.')
    expect(BatchInviteBodySchema.safeParse(rows.slice(1)).success).toBe(true)
  })
})
