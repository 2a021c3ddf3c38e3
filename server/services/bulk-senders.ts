/**
 * Bulk senders: the people whose CSV lists the bulk mailbox (bulk@) accepts, each with an
 * optional daily invitation limit (none: the server's default). System owners manage them
 * in the dashboard or with `cis bulk-senders`; addresses are compared case-insensitively.
 */
import { $get, $remove, EntityRepository, QueryCommand } from 'dynamodb-toolbox'
import { BulkSenderEntity, keys, table } from '../aws/table'
import type { BulkSenderView } from '../../shared/schemas/bulk-senders'

const senders = BulkSenderEntity.build(EntityRepository)
const addressOf = (email: string) => email.trim().toLowerCase()

interface StoredSender {
  email: string
  dailyLimit?: number
  addedBy: string
  created: string
}
const viewOf = (item: StoredSender): BulkSenderView => ({ email: item.email, dailyLimit: item.dailyLimit ?? null, addedBy: item.addedBy, addedAt: item.created })

/** The bulk sender with this address, or null. */
export async function bulkSenderOf(email: string): Promise<BulkSenderView | null> {
  const { Item } = await senders.get({ email: addressOf(email) })
  return Item ? viewOf(Item) : null
}

/** Every bulk sender, by address. */
export async function listBulkSenders(): Promise<BulkSenderView[]> {
  const { Items } = await table
    .build(QueryCommand)
    .entities(BulkSenderEntity)
    .query({ index: 'gsi1', partition: keys.bulkSenders })
    .options({ maxPages: Infinity })
    .send()
  return (Items ?? []).map(viewOf).sort((a, b) => a.email.localeCompare(b.email))
}

/**
 * Adds a bulk sender, or changes their limit (null: the server's default). Who added them
 * and when stay those of the first addition.
 */
export async function setBulkSender(email: string, grant: { dailyLimit: number | null }, addedBy: string): Promise<BulkSenderView> {
  const { Attributes } = await senders.update(
    { email: addressOf(email), dailyLimit: grant.dailyLimit ?? $remove(), addedBy: $get('addedBy', addedBy.trim().toLowerCase()) },
    { returnValues: 'ALL_NEW' },
  )
  return viewOf(Attributes!)
}

/** Removes a bulk sender; false when there was none. */
export async function removeBulkSender(email: string): Promise<boolean> {
  const { Attributes } = await senders.delete({ email: addressOf(email) }, { returnValues: 'ALL_OLD' })
  return Attributes !== undefined
}
