import { describe, it, expect } from 'vitest'
import { ingestMessage } from '../../../../server/services/ingest'

describe('ingestMessage on input the MIME parser cannot read', () => {
  it('rejects it with a reason instead of throwing (a throw would be retried as an outage)', async () => {
    const unreadable = new Proxy({}, { get: () => { throw new Error('unexpected end of data') } }) as unknown as Uint8Array
    const result = await ingestMessage(unreadable, { mailbox: 'create', receivedAt: '2026-11-23T00:00:00Z', receipt: null })
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'The message could not be read as email (unexpected end of data).' })
  })

  it('ignores plain text that is no email with a calendar, without touching storage', async () => {
    const result = await ingestMessage('hello, this is not a calendar', { mailbox: 'create', receivedAt: '2026-11-23T00:00:00Z', receipt: null })
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'The message carries no calendar invitation.' })
  })
})
