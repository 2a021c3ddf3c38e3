/**
 * `cis ingest`: stores each file in the mail bucket as the receipt rule would and runs it
 * through the same pipeline as the queue handler. Keys are content hashes, so ingesting a
 * file twice shows the duplicate-delivery behaviour. A bare .ics file (one or a stream of
 * several calendars) is wrapped in a message from its organizer, or from the replying
 * attendee, that the operator vouches for (receipt verdicts pass).
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import PostalMime from 'postal-mime'
import { splitCalendars } from '../domain/ical/read-calendar'
import { receivedAsSes } from '../local/smtp-receiver'
import { sesReceiptOf } from '../domain/mail/receipt'
import { addressInCalendarValue } from '../domain/mail/address'
import { putRawMail } from '../aws/mail-store'
import { processStoredMail } from '../services/inbound-mail'
import { config } from '../config'
import { isBareCalendar } from './inspect-file'
import { commandLog } from './log'

export interface IngestLine {
  file: string
  outcome: string
  uid: string | null
  reason: string | null
}

const MAILBOXES = ['create', 'rsvp', 'bulk']

/** Wraps one calendar in a minimal iMIP message from whoever the calendar says speaks. */
function wrapCalendar(calendar: string, mailbox: string): string {
  const unfolded = calendar.replace(/\r?\n[ \t]/g, '')
  // The last mailto: of the line is its value (DELEGATED-TO= and SENT-BY= come before it).
  // No METHOD in the body stays no METHOD: the wrapper must not make it an invitation.
  const method = /^METHOD:(.+)$/m.exec(unfolded)?.[1]?.trim().toUpperCase() ?? null
  const property = method === 'REPLY' || method === 'REFRESH' || method === 'COUNTER' ? 'ATTENDEE' : 'ORGANIZER'
  const from = addressInCalendarValue(new RegExp(`^${property}[;:].*(mailto:.*)$`, 'im').exec(unfolded)?.[1] ?? null) ?? 'unknown@invalid'
  const body = Buffer.from(calendar.replace(/\r?\n/g, '\r\n')).toString('base64').replace(/(.{76})/g, '$1\r\n')
  return [
    `From: <${from}>`,
    `To: <${mailbox}@${config().mailDomain}>`,
    `Subject: ${method ?? 'Calendar'} (imported with cis ingest)`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: text/calendar; charset=UTF-8${method ? `; method=${method}` : ''}`,
    'Content-Transfer-Encoding: base64',
    '',
    body,
    '',
  ].join('\r\n')
}

async function mailboxOf(raw: Buffer, requested: string | undefined): Promise<string> {
  if (requested) {
    if (!MAILBOXES.includes(requested)) throw new Error(`--mailbox must be one of ${MAILBOXES.join(', ')}.`)
    return requested
  }
  const mail = await PostalMime.parse(raw)
  const domain = config().mailDomain
  for (const person of [...(mail.to ?? []), ...(mail.cc ?? [])]) {
    const [local, host] = (person.address ?? '').toLowerCase().split('@')
    if (host === domain && MAILBOXES.includes(local!)) return local!
  }
  return 'create'
}

export async function* ingestFiles(files: string[], options: { mailbox?: string; verified: boolean }): AsyncGenerator<IngestLine> {
  for (const file of files) {
    // `source` is what the key is made from: the file's own bytes, not the receipt headers
    // added here (they carry a fresh id and time), so the same file gets the same key.
    let messages: { label: string; raw: string | Buffer; mailbox: string; source: string | Buffer; from: string; verified: boolean }[]
    try {
      const bytes = await readFile(file)
      if (isBareCalendar(bytes)) {
        const calendars = splitCalendars(bytes.toString('utf8'))
        const mailbox = (calendar: string) =>
          options.mailbox ?? (/^METHOD:\s*REPLY/im.test(calendar) ? 'rsvp' : 'create')
        messages = calendars.map((calendar, index) => {
          const raw = wrapCalendar(calendar, mailbox(calendar))
          return {
            label: calendars.length > 1 ? `${file}#${index + 1}` : file,
            raw,
            mailbox: mailbox(calendar),
            source: calendar,
            from: /^From: <([^>]*)>/m.exec(raw)![1]!,
            // A bare calendar has no mail around it: the operator who imports it vouches for it.
            verified: true,
          }
        })
      } else {
        const mailbox = await mailboxOf(bytes, options.mailbox)
        const from = (await PostalMime.parse(bytes)).from?.address ?? 'unknown@invalid'
        messages = [{ label: file, raw: bytes, mailbox, source: bytes, from, verified: options.verified }]
      }
    } catch (error) {
      yield { file, outcome: 'failed', uid: null, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file.' : (error as Error).message }
      continue
    }
    for (const message of messages) {
      const key = `${message.mailbox}/cli-${createHash('sha256').update(message.source).update(String(options.verified)).digest('hex').slice(0, 32)}`
      try {
        let result
        if (message.verified) {
          // What SES's receipt rule would store and notify, with passing verdicts.
          const { stored, notification } = receivedAsSes(message.raw, message.from, `${message.mailbox}@${config().mailDomain}`, key, config().mailBucket)
          await putRawMail(key, stored)
          result = await processStoredMail(key, { receipt: sesReceiptOf(JSON.stringify(notification)), log: commandLog })
        } else {
          await putRawMail(key, message.raw)
          result = await processStoredMail(key, { log: commandLog })
        }
        yield { file: message.label, outcome: result.outcome, uid: result.uid ?? null, reason: result.reason ?? null }
      } catch (error) {
        yield { file: message.label, outcome: 'failed', uid: null, reason: (error as Error).message }
      }
    }
  }
}
