/** The one rule for what a mail address is: the domain's check and the API's schemas agree on every input. */
import { describe, it, expect } from 'vitest'
import { isMailAddress, mailAddress } from '../../../shared/mail-address'

describe('mail addresses', () => {
  it.each([
    ['bob@example.org', true],
    ['Bob.Smith@Example.ORG', true],
    ["o'brien+tag@mail.example.co.uk", true],
    ['rsvp@events.localhost', true],
    ['bob@xn--exmple-cua.com', true],
    ['bob', false],
    ['bob smith@example.org', false],
    ['bob@example.org;RSVP=FALSE', false],
    ['bob@example.org\r\nBcc: eve@example.org', false],
    ['<bob@example.org>', false],
    ['bob@localhost', false],
    ['bob@example', false],
    ['a..b@example.org', false],
    ['.bob@example.org', false],
    ['bob.@example.org', false],
    ['bob@-example.org', false],
    ['bob@192.0.2.1', false],
    ['josé@example.org', false],
    [`${'a'.repeat(245)}@example.org`, false],
  ])('%s: %s', (value, expected) => {
    expect(isMailAddress(value)).toBe(expected)
    expect(mailAddress().safeParse(value).success).toBe(expected)
  })

  it('says why in a sentence', () => {
    expect(mailAddress().safeParse('bob').error?.issues[0]?.message).toBe('Give a valid email address.')
    expect(mailAddress().safeParse(`${'a'.repeat(250)}@example.org`).error?.issues.map((issue) => issue.message)).toContain('The email address is too long.')
  })
})
