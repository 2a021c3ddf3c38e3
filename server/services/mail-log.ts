/** Reading the inbound mail log: by day (operators, `cis replay`) and by sender (owners); a mailed list's counts once it is read. */
import { EntityRepository, QueryCommand } from 'dynamodb-toolbox'
import { MailLogEntity, isConditionFailure, keys, table, type MailOutcome } from '../aws/table'

const mailLog = MailLogEntity.build(EntityRepository)

export interface MailLogEntry {
  key: string
  mailbox: string
  sender: string
  subject: string
  receivedAt: string
  outcome: MailOutcome
  reason?: string
  eventUid?: string
  method?: string
  /** The lists a message to the bulk mailbox became. */
  listIds?: string[]
}

const days = (since: Date, until: Date) => {
  const list: string[] = []
  for (let day = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()); day <= until.getTime(); day += 86_400_000) {
    list.push(new Date(day).toISOString().slice(0, 10))
  }
  return list
}

/** Log entries received since `since`, oldest first, optionally only some outcomes. */
export async function listMailLogSince(since: Date, outcomes?: MailOutcome[], now = new Date()): Promise<MailLogEntry[]> {
  const entries: MailLogEntry[] = []
  for (const day of days(since, now)) {
    const page = await table
      .build(QueryCommand)
      .entities(MailLogEntity)
      .query({ index: 'gsi2', partition: keys.mailDay(day), range: { gte: since.toISOString() } })
      .options({ maxPages: Infinity })
      .send()
    for (const item of page.Items ?? []) {
      if (outcomes && !outcomes.includes(item.outcome)) continue
      entries.push(item)
    }
  }
  return entries
}

/** One sender's messages, newest first: what an organizer sees of their own mail. */
export async function listMailLogOfSender(sender: string, limit = 50): Promise<MailLogEntry[]> {
  const page = await table
    .build(QueryCommand)
    .entities(MailLogEntity)
    .query({ index: 'gsi1', partition: keys.mailFrom(sender) })
    .options({ reverse: true, limit })
    .send()
  return page.Items ?? []
}

/** A message to the bulk mailbox as logged: its lists, or null while it is not logged as `list` (yet). */
export async function loggedListMessage(key: string): Promise<{ sender: string; subject: string; listIds: string[]; warnings: string[] } | null> {
  const { Item } = await mailLog.get({ key }, { consistent: true })
  if (!Item || Item.outcome !== 'list' || !Item.listIds) return null
  return { sender: Item.sender, subject: Item.subject, listIds: Item.listIds, warnings: Item.warnings }
}

/** The reason of a message logged as `list`, once its lists are read: the counts. */
export async function recordListCounts(key: string, reason: string): Promise<void> {
  try {
    await mailLog.update({ key, reason }, { condition: { attr: 'outcome', eq: 'list' } })
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
}
