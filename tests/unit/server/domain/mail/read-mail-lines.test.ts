// A message of very many lines is refused by its header alone: postal-mime's memory grows with
// the number of lines, and 199,000 short lines took 560 MB, past the inbound function's 512 MB.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MAX_MESSAGE_LINES, OversizedMail, readMail } from '../../../../../server/domain/mail/read-mail'
import { ingestMessage } from '../../../../../server/services/ingest'
import type { SesReceipt } from '../../../../../server/domain/mail/receipt'

const invite = readFileSync(new URL('../../../../fixtures/mail/sample-invite.eml', import.meta.url), 'latin1')
const outer = '000000000000c2f4e905f1a7b8c1'

/** The sample Google invitation with a text part of `lines` short lines added before its end. */
function withLines(message: string, lines: number): string {
  const part = `--${outer}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${'a line\r\n'.repeat(lines)}`
  return message.replace(`--${outer}--`, `${part}--${outer}--`)
}

const linesOf = (text: string) => text.split('\n').length - 1

describe('readMail and the number of lines', () => {
  it('reads a message of MAX_MESSAGE_LINES lines whole', async () => {
    const message = withLines(invite, MAX_MESSAGE_LINES - linesOf(withLines(invite, 0)))
    expect(linesOf(message)).toBe(MAX_MESSAGE_LINES)
    const mail = await readMail(new TextEncoder().encode(message))
    expect(mail.calendars).toHaveLength(1)
  })

  it('refuses one line more with a sentence, keeping what its header says', async () => {
    const message = withLines(invite, MAX_MESSAGE_LINES + 1 - linesOf(withLines(invite, 0)))
    for (const raw of [new TextEncoder().encode(message), message]) {
      const error = await readMail(raw).then(() => null, (thrown: unknown) => thrown)
      expect(error).toBeInstanceOf(OversizedMail)
      expect((error as OversizedMail).message).toBe('The message has 100,001 lines; the server reads messages of up to 100,000 lines (an invitation has a few hundred).')
      expect((error as OversizedMail).header).toMatchObject({
        from: { email: 'alice@example.com', name: 'Alice Example' },
        subject: expect.stringContaining('Spring community meetup'),
        messageId: '<calendar-3f1c9a52-8d47-4b0e-9c61-2a7e5d0b4f18@google.com>',
        kind: 'message',
        calendars: [],
      })
    }
  })

  it('refuses a message that is all header lines without reading it', async () => {
    const headers = `X-Filler: x\r\n`.repeat(MAX_MESSAGE_LINES + 1)
    const error = await readMail(`From: a@example.com\r\n${headers}`).then(() => null, (thrown: unknown) => thrown)
    expect(error).not.toBeInstanceOf(OversizedMail)
    expect((error as Error).message).toMatch(/^The message has 100,002 lines; /)
  })
})

describe('ingestMessage of a message with too many lines', () => {
  const receipt = (verdict: 'PASS' | 'FAIL'): SesReceipt => ({
    messageId: 'ses-1',
    source: 'alice@example.com',
    from: ['Alice Example <alice@example.com>'],
    receivedAt: '2026-12-02T10:00:00Z',
    verdicts: { spf: verdict, dkim: verdict, dmarc: verdict, spam: 'PASS', virus: 'PASS' },
    bucket: 'mail',
    objectKey: 'create/ses-1',
  })
  const big = withLines(invite, MAX_MESSAGE_LINES)

  it('is rejected with its sentence, from the verified sender its header names, so they can be told', async () => {
    const result = await ingestMessage(big, { mailbox: 'create', receivedAt: '2026-12-02T10:00:00Z', receipt: receipt('PASS') })
    expect(result).toMatchObject({ outcome: 'rejected', sender: 'alice@example.com', senderVerified: true, reason: expect.stringMatching(/^The message has 100,\d{3} lines; /) })
  })

  it('is from an unverified sender when SES did not verify them', async () => {
    const result = await ingestMessage(big, { mailbox: 'create', receivedAt: '2026-12-02T10:00:00Z', receipt: receipt('FAIL') })
    expect(result).toMatchObject({ outcome: 'rejected', sender: 'alice@example.com', senderVerified: false })
  })

  it('is ignored when its header says it is a bounce', async () => {
    const bounce = big.replace('Content-Type: multipart/mixed;', 'Content-Type: multipart/report; report-type=delivery-status;')
    const result = await ingestMessage(bounce, { mailbox: 'create', receivedAt: '2026-12-02T10:00:00Z', receipt: receipt('PASS') })
    expect(result).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/^This is a delivery failure report \(bounce\), not an invitation, and too large to read: /) })
  })
})
