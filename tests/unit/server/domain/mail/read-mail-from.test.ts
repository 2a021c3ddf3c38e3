import { describe, it, expect } from 'vitest'
import { readMail } from '../../../../../server/domain/mail/read-mail'

const withFrom = (from: string) => `From: ${from}\r\nTo: create@events.example\r\nSubject: Hello\r\nMessage-ID: <1@example.org>\r\n\r\nbody\r\n`

describe('the From address of a received message', { tags: ['security'] }, () => {
  it.each([
    ['a plain name', 'Olga <olga@example.org>', 'olga@example.org'],
    ['an encoded name holding a colon', '=?UTF-8?Q?Ventes_:_=C3=89quipe?= <olga@example.org>', 'olga@example.org'],
    ['an encoded name holding a line break and a header', '=?UTF-8?Q?Olga=0D=0ABcc:_evil@attacker.example?= <olga@example.org>', 'olga@example.org'],
    ['a quoted name holding an address', '"ceo@victim.example" <olga@example.org>', 'olga@example.org'],
  ])('is the mailbox’s address past %s', async (_, from, address) => {
    expect((await readMail(withFrom(from))).from?.email).toBe(address)
  })

  it('keeps a name without its line breaks', async () => {
    expect((await readMail(withFrom('=?UTF-8?Q?Olga=0D=0AX-Injected_yes?= <olga@example.org>'))).from?.name).toBe('Olga X-Injected yes')
  })

  it('is no one for a header naming two mailboxes', async () => {
    expect((await readMail(withFrom('<ceo@victim.example> <mallory@evil.example>'))).from).toBeNull()
  })
})
