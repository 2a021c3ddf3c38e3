/** Where sign-in may lead: paths on this site only, never another site however it is spelled. */
import { describe, it, expect } from 'vitest'
import { afterSignIn, sameSitePath } from '../../../shared/schemas/auth'

describe('the page after sign-in', { tags: ['security'] }, () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/dashboard/events/abc%40test', '/dashboard/events/abc%40test'],
    ['/dashboard?view=past&q=launch', '/dashboard?view=past&q=launch'],
    ['/', '/'],
    ['/events/e1#details', '/events/e1#details'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('leads to %s', (next, expected) => {
    expect(sameSitePath(next)).toBe(expected)
    expect(afterSignIn(next)).toBe(expected)
  })

  it.each([
    ['another site', 'https://evil.example/dashboard'],
    ['a protocol-relative address', '//evil.example'],
    ['a backslash after the slash', '/\\evil.example'],
    ['a backslash later on', '/dashboard\\..\\x'],
    ['a tab browsers drop', '/\t/evil.example'],
    ['a newline (header injection)', '/dashboard\r\nSet-Cookie: x=1'],
    ['a space', '/ /evil.example'],
    ['a script', 'javascript:alert(1)'],
    ['a relative path', 'dashboard'],
    ['an empty value', ''],
    ['non-ASCII, which a router would have encoded', '/événements'],
    ['a very long path', `/${'a'.repeat(2000)}`],
    ['no string at all', ['/dashboard']],
    ['nothing', undefined],
  ])('refuses %s and leads to the dashboard instead', (_, next) => {
    expect(sameSitePath(next)).toBeNull()
    expect(afterSignIn(next)).toBe('/dashboard')
  })
})
