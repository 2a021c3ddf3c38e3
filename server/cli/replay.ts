/** `cis replay`: reprocess logged rejected and failed messages (after a fix or a settings change). */
import { listMailLogSince } from '../services/mail-log'
import { processStoredMail } from '../services/inbound-mail'
import { commandLog } from './log'

/** `7d`, `12h` or an ISO date. */
export function parseSince(value: string, now = new Date()): Date {
  const relative = /^(\d+)\s*([dh])$/i.exec(value.trim())
  if (relative) return new Date(now.getTime() - Number(relative[1]) * (relative[2]!.toLowerCase() === 'd' ? 86_400_000 : 3_600_000))
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw new Error(`--since must be a date (2026-11-01) or an age (7d, 12h), not "${value}".`)
  return date
}

export async function* replaySince(since: Date) {
  for (const entry of await listMailLogSince(since, ['rejected', 'failed'])) {
    try {
      const result = await processStoredMail(entry.key, { replay: true, log: commandLog })
      yield { key: entry.key, before: entry.outcome, outcome: result.outcome, uid: result.uid ?? null, reason: result.reason ?? null }
    } catch (error) {
      yield { key: entry.key, before: entry.outcome, outcome: 'failed', uid: null, reason: (error as Error).message }
    }
  }
}
