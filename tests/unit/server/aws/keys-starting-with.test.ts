/** keysStartingWith: a `between` range holding exactly the sort keys that begin with a prefix (compared as DynamoDB does, by UTF-8 bytes). */
import { describe, it, expect } from 'vitest'
import { keysStartingWith } from '../../../../server/aws/table'

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
const within = (key: string, [low, high]: [string, string]) => byUtf8(key, low) >= 0 && byUtf8(key, high) <= 0

describe('keysStartingWith', () => {
  it('holds every key with the prefix, whatever follows (astral characters too)', () => {
    const { between } = keysStartingWith('ATTENDEE#')
    for (const key of ['ATTENDEE#', 'ATTENDEE#a@example.org', 'ATTENDEE#~~~', 'ATTENDEE#\u{10FFFF}', 'ATTENDEE#😀@example.org', 'ATTENDEE#\uffff\uffff']) {
      expect(within(key, between), key).toBe(true)
    }
  })

  it('holds nothing without the prefix', () => {
    const { between } = keysStartingWith('2027-03-10#')
    for (const key of ['2027-03-10', '2027-03-10T08:00:00Z#uid', '2027-03-1', '2027-03-11#uid', '2027-03-10$x', 'ATTENDEE#x']) {
      expect(within(key, between), key).toBe(false)
    }
    // `between` is inclusive: the bound itself (the prefix's last character raised by one) is in,
    // and no key of ours is such a bound (prefixes end in '#', keys go on after it).
    expect(between[1]).toBe('2027-03-10$')
  })
})
