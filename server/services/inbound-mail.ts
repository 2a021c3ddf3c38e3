/**
 * The inbound mail pipeline: a stored raw message in, a mail-log record (and, from the
 * iTIP step, event changes) out. Idempotent per S3 key, because SQS delivers at least once.
 */
import PostalMime from 'postal-mime'
import { EntityRepository } from 'dynamodb-toolbox'
import { MailLogEntity } from '../aws/table'
import { getRawMail } from '../aws/mail-store'

const mailLog = MailLogEntity.build(EntityRepository)

/** The mailbox a key belongs to: the receipt rule stores mail under `<mailbox>/`. */
export function mailboxOfKey(key: string): string {
  return key.includes('/') ? key.slice(0, key.indexOf('/')) : ''
}

export async function processStoredMail(key: string): Promise<void> {
  const raw = await getRawMail(key)
  if (!raw) throw new Error(`The stored message ${key} does not exist in the mail bucket.`)
  const parsed = await PostalMime.parse(raw)
  await mailLog.put({
    key,
    mailbox: mailboxOfKey(key),
    sender: parsed.from?.address?.toLowerCase() ?? '',
    subject: parsed.subject ?? '',
    receivedAt: new Date().toISOString(),
    outcome: 'received',
  })
}
