/** Helpers for integration tests against the local stack the global setup started. */
import { randomUUID } from 'node:crypto'
import { CreateTableCommand } from '@aws-sdk/client-dynamodb'
import { createTableInput } from '../../server/aws/table'
import { clients } from '../../server/aws/clients'
import { resetConfig, config } from '../../server/config'
import { putRawMail } from '../../server/aws/mail-store'
import { receiptHeadersFor, type ReceiptVerdicts } from '../../server/local/smtp-receiver'
import { processStoredMail } from '../../server/services/inbound-mail'

/**
 * A new, empty table for the calling test file: the corpus reuses UIDs across files,
 * so each file gets its own table in the one DynamoDB Local.
 */
export async function useFreshTable(): Promise<string> {
  const name = `cis-test-${randomUUID().slice(0, 8)}`
  await clients().dynamodb.send(new CreateTableCommand(createTableInput(name)))
  process.env.CIS_TABLE = name
  resetConfig()
  return name
}

/** Prepends the SES receipt headers (verdicts default to pass) for the From address. */
export function received(raw: Buffer | string, from: string, verdicts: Partial<ReceiptVerdicts> = {}): Buffer {
  return Buffer.concat([Buffer.from(receiptHeadersFor(from, config().mailboxes.create, verdicts)), Buffer.from(raw)])
}

/** Stores a message as the receipt rule would and runs the pipeline on it. */
export async function deliver(mailbox: 'create' | 'rsvp' | 'bulk', raw: Buffer | string) {
  const key = `${mailbox}/${randomUUID()}`
  await putRawMail(key, raw)
  return await processStoredMail(key)
}

export const mailbox = (name: 'create' | 'rsvp' | 'bulk') => config().mailboxes[name]

/** Mail the local SES received since `since` (epoch seconds), via aws-ses-v2-local's store API. */
export async function sentMail(since: number): Promise<{ subject: string; destination: { to: string[] }; body: { text?: string } }[]> {
  const response = await fetch(`${config().endpoints.ses}/store?since=${since}`)
  const store = (await response.json()) as { emails: { subject: string; destination: { to: string[] }; body: { text?: string } }[] }
  return store.emails
}

/** A minimal iMIP message around calendar lines (CRLF), from `from`. */
export function imip(from: string, to: string, method: string, lines: string[]): string {
  const calendar = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//CIS tests//EN', `METHOD:${method}`, ...lines, 'END:VCALENDAR'].join('\r\n')
  return [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: ${method} test`,
    `Message-ID: <${randomUUID()}@tests.local>`,
    'MIME-Version: 1.0',
    `Content-Type: text/calendar; charset=UTF-8; method=${method}`,
    '',
    calendar,
    '',
  ].join('\r\n')
}
