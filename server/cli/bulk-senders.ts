/**
 * `cis bulk-senders add EMAIL [--daily-limit N] | list | remove EMAIL`: who may mail CSV
 * lists to the bulk mailbox, as system owners manage them in the dashboard. Talks to the
 * configured backend (the local stack by default); what it adds is added by `cli`.
 */
import { checkInput } from '../../shared/validation'
import { BulkSenderParamsSchema, dailyLimit } from '../../shared/schemas/bulk-senders'
import { listBulkSenders, removeBulkSender, setBulkSender } from '../services/bulk-senders'
import { UsageError } from './usage-error'

export const BULK_SENDERS_USAGE = 'cis bulk-senders add EMAIL [--daily-limit N] | list | remove EMAIL'

function address(email: string | undefined): string {
  const checked = checkInput(BulkSenderParamsSchema, { email: email?.trim() ?? '' })
  if (!checked.ok) throw new UsageError(`"${email ?? ''}" is not an email address; give the bulk sender's address.`)
  return checked.data.email
}

function limit(text: string | undefined): number | null {
  if (text === undefined) return null
  const checked = checkInput(dailyLimit(), /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN)
  if (!checked.ok) throw new UsageError(`--daily-limit ${JSON.stringify(text)}: ${checked.sentence}`)
  return checked.data
}

/** Runs one `cis bulk-senders` command: the lines it prints. */
export async function bulkSendersCommand(args: string[], options: { dailyLimit?: string }): Promise<string[]> {
  const [action, email, ...extra] = args
  if (extra.length || (action === 'list' && email !== undefined)) throw new UsageError(`Usage: ${BULK_SENDERS_USAGE}`)
  if (action !== 'add' && options.dailyLimit !== undefined) throw new UsageError('--daily-limit goes with cis bulk-senders add.')
  switch (action) {
    case 'add': {
      const sender = await setBulkSender(address(email), { dailyLimit: limit(options.dailyLimit) }, 'cli')
      const limitWords = sender.dailyLimit === null ? "the server's default daily limit" : `a daily limit of ${sender.dailyLimit} invitations`
      return [`${sender.email} is a bulk sender, with ${limitWords}.`]
    }
    case 'list':
      return (await listBulkSenders()).map((sender) => JSON.stringify(sender))
    case 'remove': {
      const removed = await removeBulkSender(address(email))
      return [removed ? `${address(email)} is no longer a bulk sender.` : `${address(email)} was not a bulk sender; nothing changed.`]
    }
    default:
      throw new UsageError(`Usage: ${BULK_SENDERS_USAGE}`)
  }
}
