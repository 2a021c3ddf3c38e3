import { describe, it, expect } from 'vitest'
import { z } from 'zod'
import { checkInput } from '../../../shared/validation'

const schema = z.object({
  email: z.string().regex(/@/, 'Give a valid email address.'),
  dailyLimit: z.number().int().optional(),
  domains: z.array(z.string().max(5)).optional(),
  label: z.string().max(3).optional(),
})

describe('checkInput: the sentence a person reads, never a field path', () => {
  it.each([
    [{ email: 'nope' }, 'Give a valid email address.'],
    [{ email: 'a@b', dailyLimit: 'ten' }, 'The daily limit is not valid (invalid input: expected number, received string).'],
    [{ email: 'a@b', domains: ['ok', 'far-too-long'] }, 'The domains item 2 is not valid (too big: expected string to have <=5 characters).'],
    [{ email: 'a@b', label: 'long' }, 'The label is not valid (too big: expected string to have <=3 characters).'],
  ])('%j → %s', (input, sentence) => {
    expect(checkInput(schema, input)).toEqual({ ok: false, sentence })
  })

  it('gives zod\'s sentence for a value with no field', () => {
    expect(checkInput(z.number(), 'x')).toEqual({ ok: false, sentence: 'Invalid input: expected number, received string.' })
  })

  it('passes what is valid through', () => {
    expect(checkInput(schema, { email: 'a@b' })).toEqual({ ok: true, data: { email: 'a@b' } })
  })
})
