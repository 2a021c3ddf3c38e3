/**
 * The suppression list: addresses this server must never mail again, kept on each person's
 * PERSON#<email> item. An owner blocked it, the person unsubscribed (RFC 8058 one-click),
 * their server bounced our mail permanently, or they marked it as spam (SES bounce and
 * complaint notifications, server/queues/ses-events.ts).
 *
 * Writes are idempotent: the first time of each reason is kept (`if_not_exists`), so SQS
 * redelivering a notification, or a second click on an unsubscribe link, changes nothing.
 */
import { EntityRepository, $get, $remove } from 'dynamodb-toolbox'
import { PersonEntity, isConditionFailure } from '../aws/table'
import { getMany } from '../aws/batch-get'
import type { ParsedNotification } from '../domain/mail/ses-notification'

const people = PersonEntity.build(EntityRepository)

export type SuppressionReason = 'blocked' | 'unsubscribed' | 'bounced' | 'complained'

export interface Suppression {
  reason: SuppressionReason
  /** For the organizer: why this address gets no mail. */
  sentence: string
  /** When it began (ISO 8601). */
  since: string
}

const day = (iso: string) => iso.slice(0, 10)
const normalized = (email: string) => email.trim().toLowerCase()

/** Why this address must not be mailed, as a code and a sentence, or null. */
export async function suppressionOf(email: string): Promise<Suppression | null> {
  const address = normalized(email)
  const { Item } = await people.get({ email: address }, { consistent: true })
  return suppressionOfPerson(address, Item)
}

/** The suppressions of many addresses (a list being sent), by address; those not suppressed are absent. */
export async function suppressionsOf(emails: string[]): Promise<Map<string, Suppression>> {
  const addresses = [...new Set(emails.map(normalized))]
  const found = await getMany(PersonEntity, addresses.map((email) => ({ email })), { consistent: true })
  const suppressions = new Map<string, Suppression>()
  addresses.forEach((address, index) => {
    const suppression = suppressionOfPerson(address, found[index])
    if (suppression) suppressions.set(address, suppression)
  })
  return suppressions
}

type PersonItem = Awaited<ReturnType<typeof people.get>>['Item']

function suppressionOfPerson(address: string, Item: PersonItem): Suppression | null {
  if (!Item) return null
  // The owner's decision first, then the person's own wish, then what their mail server said.
  if (Item.blockedAt) {
    return { reason: 'blocked', since: Item.blockedAt, sentence: `Mail to ${address} is blocked by this server's owners (since ${day(Item.blockedAt)}).` }
  }
  if (Item.unsubscribedAt) {
    return { reason: 'unsubscribed', since: Item.unsubscribedAt, sentence: `${address} unsubscribed from this server's mail on ${day(Item.unsubscribedAt)}.` }
  }
  const detail = Item.suppressionDetail ? ` (${Item.suppressionDetail})` : ''
  if (Item.complainedAt) {
    return {
      reason: 'complained',
      since: Item.complainedAt,
      sentence: `${address} reported this server's mail as spam on ${day(Item.complainedAt)}${detail}, so nothing more is sent there.`,
    }
  }
  if (Item.bouncedAt) {
    return {
      reason: 'bounced',
      since: Item.bouncedAt,
      sentence: `Mail to ${address} bounced permanently on ${day(Item.bouncedAt)}${detail}, so nothing more is sent there.`,
    }
  }
  return null
}

/**
 * Puts the recipients of a permanent bounce or a complaint on the suppression list; other
 * notifications (transient bounces, not-spam reports, deliveries…) change nothing.
 * Returns the addresses suppressed (again, on a redelivery: the first time is kept).
 */
export async function recordSesNotification(n: ParsedNotification): Promise<{ suppressed: string[] }> {
  if (!n.permanent || (n.kind !== 'bounce' && n.kind !== 'complaint')) return { suppressed: [] }
  const field = n.kind === 'bounce' ? 'bouncedAt' : 'complainedAt'
  const at = new Date(n.at).toISOString()
  const recipients = [...new Map(n.recipients.map((r) => [normalized(r.email), r])).values()].filter((r) => r.email.includes('@'))
  await Promise.all(
    recipients.map((r) =>
      people.update({
        email: normalized(r.email),
        [field]: $get(field, at),
        // The latest word from SES: what an owner reads when asking why.
        suppressionDetail: r.detail.slice(0, 500),
      }),
    ),
  )
  return { suppressed: recipients.map((r) => normalized(r.email)) }
}

/** The person asked for no more mail (one-click unsubscribe). */
export async function unsubscribe(email: string, at: Date = new Date()): Promise<void> {
  await people.update({ email: normalized(email), unsubscribedAt: $get('unsubscribedAt', at.toISOString()) })
}

/** An owner blocks all mail to this address. */
export async function block(email: string, at: Date = new Date()): Promise<void> {
  await people.update({ email: normalized(email), blockedAt: $get('blockedAt', at.toISOString()) })
}

/**
 * An owner lifts their block. Unsubscribes, bounces and complaints stay: they are the
 * person's (or their mail server's) word, not the owner's.
 */
export async function unblock(email: string): Promise<void> {
  try {
    await people.update({ email: normalized(email), blockedAt: $remove() }, { condition: { attr: 'email', exists: true } })
  } catch (error) {
    // Nobody by that address: nothing was blocked.
    if (!isConditionFailure(error)) throw error
  }
}
