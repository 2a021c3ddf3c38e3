/**
 * Parse + iTIP decision over the whole corpus, on one core (this process), against the
 * baseline measured in the same run: postal-mime + node-ical doing only a plain parse of
 * every calendar part. Exported so the end-to-end benchmark can print it alongside.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import PostalMime from 'postal-mime'
import ical from 'node-ical'
import { readMail } from '../../server/domain/mail/read-mail'
import { readFirstCalendar } from '../../server/domain/ical/read-calendar'
import { isSenderVerified } from '../../server/domain/mail/receipt'
import { decideOrganizerMessage, decideReply, type Policy } from '../../server/domain/itip/rules'
import { NotSchedulingMessage } from '../../server/domain/scheduling'

const policy: Policy = { requireVerifiedSender: true, allowedOrganizerDomains: [], serverAddresses: ['create@events.localhost'] }

export function loadCorpusMail(corpusDir: string): Buffer[] {
  const dir = resolve(corpusDir, 'eml')
  return readdirSync(dir)
    .sort()
    .map((name) => readFileSync(resolve(dir, name)))
}

const PASSED = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' } as const

/** What the pipeline does before touching storage: read mail, read its calendar once, decide. */
export async function parseAndDecide(raw: Buffer): Promise<string> {
  const mail = await readMail(raw)
  if (mail.kind !== 'message' || !mail.calendars.length) return 'ignored'
  // As SES's receipt notification would say for mail that passed its checks.
  const receipt = mail.from ? { source: mail.from.email, from: [mail.from.email], verdicts: PASSED } : null
  const sender = { email: mail.from?.email ?? null, verified: mail.from ? isSenderVerified(receipt, mail.from.email) : false }
  try {
    const message = readFirstCalendar(mail.calendars)
    return message.method === 'REPLY'
      ? decideReply(message, null, null, sender, policy, { receivedAt: '2026-01-01T00:00:00Z' }).outcome
      : decideOrganizerMessage(message, null, sender, policy).outcome
  } catch (error) {
    if (error instanceof NotSchedulingMessage) return 'ignored'
    throw error
  }
}

/** The baseline: a plain full parse with both libraries, every calendar part parsed. */
export async function plainParse(raw: Buffer): Promise<number> {
  const email = await PostalMime.parse(raw)
  let events = 0
  for (const attachment of email.attachments) {
    if (!/calendar|ics/i.test(attachment.mimeType) && !/\.ics$/i.test(attachment.filename ?? '')) continue
    const text = typeof attachment.content === 'string' ? attachment.content : new TextDecoder().decode(attachment.content)
    try {
      events += Object.keys(ical.sync.parseICS(text)).length
    } catch {
      // the baseline only measures; the pipeline reports
    }
  }
  return events
}

export async function messagesPerSecond(messages: Buffer[], work: (raw: Buffer) => Promise<unknown>, seconds = 3): Promise<number> {
  for (const raw of messages) await work(raw) // warm up
  let done = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  while (performance.now() < deadline) {
    for (const raw of messages) await work(raw)
    done += messages.length
  }
  return (done / (performance.now() - started)) * 1000
}
