/** Finding the address in a header value or a calendar user value, and its domain. */
import { describe, it, expect } from 'vitest'
import { addressInCalendarValue, addressInHeader, addressesInHeader, domainOf } from '../../../../../server/domain/mail/address'

describe('addressInHeader', () => {
  it.each([
    ['Jane Doe <Jane@Example.COM>', 'jane@example.com'],
    ['"Doe, Jane" <jane@example.com>', 'jane@example.com'],
    ['Doe, Jane <jane@example.com>', 'jane@example.com'],
    ['"jane@example.com" <real@example.org>', 'real@example.org'],
    ['"<ceo@victim.example>" <mallory@evil.example>', 'mallory@evil.example'],
    ['  Jane@Example.com ', 'jane@example.com'],
    ['jane@example.com (Jane)', 'jane@example.com'],
    ['jane@example.com (Jane <ceo@victim.example> (nested))', 'jane@example.com'],
    ['Jane <jane@example.com> (work)', 'jane@example.com'],
    ['a@example.com, b@example.com', 'a@example.com'],
    ['<ceo@victim.example> <mallory@evil.example>', ''],
    ['Jane Doe', ''],
    ['<>', ''],
    ['', ''],
    [undefined, ''],
  ])('%j → %j', (value, expected) => {
    expect(addressInHeader(value)).toBe(expected)
  })

  it('lists the address of every mailbox', () => {
    expect(addressesInHeader('Alice <alice@example.org>, "Bob, B." <bob@example.org>, carol@example.org (C)')).toEqual(['alice@example.org', 'bob@example.org', 'carol@example.org'])
    expect(addressesInHeader('undisclosed-recipients:;')).toEqual([])
  })
})

describe('addressInCalendarValue', () => {
  it.each([
    ['MAILTO:Alice@Example.com', 'alice@example.com'],
    ['mailto: alice@example.com', 'alice@example.com'],
    [';mailto:alice@example.com', 'alice@example.com'],
    ['https://cal.example.com/principals/alice@example.com/', 'alice@example.com'],
    ['urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1', null],
    // Found by npm run fuzz: a value cut and repeated, with no mail address in it.
    ['mailto:create@events.localh-ACTION;RSVP=TRUE:mailto:create@events.localhost', null],
    ['mailto:guest@example', null],
    [null, null],
  ])('%j → %j', (value, expected) => {
    expect(addressInCalendarValue(value)).toBe(expected)
  })
})

describe('domainOf', () => {
  it.each([
    ['Alice <alice@Example.com>', 'example.com'],
    ['alice@example.com', 'example.com'],
    ['alice', ''],
  ])('%j → %j', (value, expected) => {
    expect(domainOf(value)).toBe(expected)
  })
})
