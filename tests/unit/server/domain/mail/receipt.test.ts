/**
 * Trust in a sender comes from SES's receipt notification (its verdicts as data), never
 * from text the sender shaped (ITIP.md 7; issue 13, found 1 and 2).
 */
import { describe, it, expect } from 'vitest'
import { isSenderVerified, organizationalDomain, sesReceiptOf } from '../../../../../server/domain/mail/receipt'
import { receivedAsSes, type ReceiptVerdicts } from '../../../../../server/local/smtp-receiver'

const message = (from: string, extra: string[] = []) =>
  [`From: Alice <${from}>`, 'To: create@events.localhost', 'Subject: Hi', ...extra, 'MIME-Version: 1.0', 'Content-Type: text/plain', '', 'Hello'].join('\r\n')

/** The receipt SES would publish for `raw` from envelope sender `source`. */
function receiptFor(raw: string, source: string, verdicts: Partial<ReceiptVerdicts> = {}) {
  const { notification } = receivedAsSes(raw, source, 'create@events.localhost', 'create/abc', 'cis-mail', verdicts)
  return sesReceiptOf(JSON.stringify(notification))!
}

describe('sesReceiptOf', () => {
  it('reads the notification raw and inside an SNS envelope, and nothing else', () => {
    const { notification } = receivedAsSes(message('alice@example.com'), 'alice@example.com', 'create@events.localhost', 'create/abc', 'cis-mail')
    const raw = JSON.stringify(notification)
    expect(sesReceiptOf(raw)).toMatchObject({ objectKey: 'create/abc', bucket: 'cis-mail', source: 'alice@example.com', verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' } })
    expect(sesReceiptOf(JSON.stringify({ Type: 'Notification', Message: raw }))).toEqual(sesReceiptOf(raw))
    expect(sesReceiptOf('{"Records":[{"eventSource":"aws:s3"}]}')).toBeNull()
    expect(sesReceiptOf('not json')).toBeNull()
  })
})

describe('isSenderVerified', { tags: ['security'] }, () => {
  it.each([
    ['DMARC passed', {}, 'alice@example.com', 'alice@example.com', true],
    ['SPF passed for the From organization (a subdomain sends)', { dkim: 'fail' as const, dmarc: 'fail' as const }, 'bounces@mail.example.com', 'alice@example.com', true],
    ['SPF and DKIM failed', { spf: 'fail' as const, dkim: 'fail' as const }, 'alice@example.com', 'alice@example.com', false],
    ['SPF passed for another organization only', { dkim: 'fail' as const, dmarc: 'fail' as const }, 'mallory@evil.example', 'alice@example.com', false],
    // Found 2: a.github.io and b.github.io are different organizations (Public Suffix List).
    ['SPF passed for a sibling under a public suffix', { dkim: 'fail' as const, dmarc: 'fail' as const }, 'me@attacker.github.io', 'victim@other.github.io', false],
    // Lookalikes of the From domain are other organizations: an SPF pass for them lends nothing.
    ['SPF passed for the From domain under another one', { dkim: 'fail' as const, dmarc: 'fail' as const }, 'ceo@example.com.evil.example', 'alice@example.com', false],
    ['SPF passed for a domain one letter off', { dkim: 'fail' as const, dmarc: 'fail' as const }, 'ceo@mail.examp1e.com', 'alice@example.com', false],
    ['SPF passed for a punycode lookalike', { dkim: 'fail' as const, dmarc: 'fail' as const }, 'ceo@xn--exmple-cua.com', 'alice@example.com', false],
    ['SPF passed for a lookalike spelled with a hyphen', { dkim: 'fail' as const, dmarc: 'fail' as const }, 'ceo@example-com.net', 'alice@example.com', false],
    ['the virus scan failed', { virus: 'fail' as const }, 'alice@example.com', 'alice@example.com', false],
  ])('%s → %s', (_, verdicts, source, from, verified) => {
    expect(isSenderVerified(receiptFor(message(from), source, verdicts), from)).toBe(verified)
  })

  it('never verifies a message with no receipt', () => {
    expect(isSenderVerified(null, 'alice@example.com')).toBe(false)
  })

  it('does not lend a DMARC pass to a second From address', () => {
    const raw = message('mallory@evil.example', ['From: ceo@victim.example'])
    const receipt = receiptFor(raw, 'mallory@evil.example')
    expect(receipt.from).toHaveLength(2)
    expect(isSenderVerified(receipt, 'ceo@victim.example')).toBe(false)
    expect(isSenderVerified(receipt, 'mallory@evil.example')).toBe(false)
  })

  it.each([
    ['two addresses in one mailbox', '<ceo@victim.example> <mallory@evil.example>'],
    ['two mailboxes', 'CEO <ceo@victim.example>, Mallory <mallory@evil.example>'],
  ])('verifies nobody from one From header with %s', (_, from) => {
    const receipt = receiptFor(message('x@x.example').replace('From: Alice <x@x.example>', `From: ${from}`), 'mallory@evil.example')
    expect(receipt.from).toHaveLength(1)
    expect(isSenderVerified(receipt, 'ceo@victim.example')).toBe(false)
    expect(isSenderVerified(receipt, 'mallory@evil.example')).toBe(false)
  })

  it('reads the From address past a quoted name or a comment', () => {
    for (const from of ['"ceo@victim.example" <alice@example.com>', 'alice@example.com (ceo@victim.example)']) {
      const receipt = receiptFor(message('x@x.example').replace('From: Alice <x@x.example>', `From: ${from}`), 'alice@example.com')
      expect(isSenderVerified(receipt, 'alice@example.com'), from).toBe(true)
      expect(isSenderVerified(receipt, 'ceo@victim.example'), from).toBe(false)
    }
  })

  it('ignores every verdict the message itself spells (headers, HELO-shaped text)', () => {
    const raw = message('ceo@victim.example', ['Authentication-Results: amazonses.com; spf=pass smtp.mailfrom=ceo@victim.example; dkim=pass header.d=victim.example', 'X-Local-Verdicts: spf=pass; dkim=pass'])
    expect(isSenderVerified(receiptFor(raw, 'mallory@forged.test', { spf: 'fail', dkim: 'fail' }), 'ceo@victim.example')).toBe(false)
  })

  it('finds organizations by the Public Suffix List', () => {
    expect(organizationalDomain('a@mail.example.co.uk')).toBe('example.co.uk')
    expect(organizationalDomain('attacker.github.io')).toBe('attacker.github.io')
    expect(organizationalDomain('x@sub.example.com')).toBe('example.com')
  })
})
