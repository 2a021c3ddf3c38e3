/**
 * A message to the bulk mailbox (bulk@): CSV attachments of rows `uid,email,name`, from a
 * verified sender who is an authorized bulk sender (bulk-senders.ts). Each CSV attachment
 * becomes one invitation list (origin and layout `bulk`), read and sent at once by the list
 * worker, which refuses the rows of events the sender does not organize; the sender hears
 * how it went in one status mail (list-report.ts) once every list of the message is read.
 *
 * Who is answered when the lists are not read:
 * - an unverified sender gets nothing: the From of an unverified message may be forged,
 *   and answering it would mail a stranger (backscatter). The mail log keeps the reason;
 * - a verified sender who is not a bulk sender, or who sent no CSV, gets a short refusal
 *   (the `bulkRefused` template, once per message; inbound-mail.ts sends it).
 */
import type { MailAttachment, ReceivedMail } from '../domain/mail/read-mail'
import type { Sender } from '../domain/itip/rules'
import type { MailOutcome } from '../aws/table'
import { bulkSenderOf } from './bulk-senders'
import { createMailedList } from './invitation-lists'

export interface BulkOutcome {
  outcome: MailOutcome
  reason: string
  /** Attachments that were not read, a sentence each. */
  warnings: string[]
  listIds?: string[]
}

const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values', 'application/vnd.ms-excel'])
const SPREADSHEET = /\.(xlsx|xlsm|xls|ods|numbers)$/i

/** How an attachment is taken: as a list, or not, with the sentence saying why. */
export function attachmentKind(attachment: MailAttachment): 'csv' | { skipped: string } {
  const name = attachment.filename ?? ''
  const type = attachment.mimeType.toLowerCase()
  const label = name || `an attachment of type ${type}`
  // A spreadsheet named so is refused even when sent as application/vnd.ms-excel (the type Windows gives CSV files too).
  if (SPREADSHEET.test(name)) return { skipped: `${label} is a spreadsheet workbook; save the sheet as CSV (uid,email,name) and send that.` }
  if (CSV_TYPES.has(type) || /\.(csv|txt)$/i.test(name)) return 'csv'
  if (type.includes('spreadsheet') || type.includes('excel')) {
    return { skipped: `${label} is a spreadsheet workbook; save the sheet as CSV (uid,email,name) and send that.` }
  }
  return { skipped: `${label} is not a CSV file.` }
}

const NO_CSV = 'The message has no CSV attachment: attach one or more CSV files with the columns uid,email,name.'

export async function applyBulkMessage(mail: ReceivedMail, sender: Sender, mailKey: string | undefined): Promise<BulkOutcome> {
  const refuse = (reason: string, warnings: string[] = []): BulkOutcome => ({ outcome: 'rejected', reason, warnings })
  if (!sender.email || !sender.verified) {
    return refuse('The sender could not be verified (neither DMARC nor SPF for the From address passed), so no list was read; no answer was sent, as the From may be forged.')
  }
  const bulkSender = await bulkSenderOf(sender.email)
  if (!bulkSender) return refuse(`${sender.email} is not an authorized bulk sender; a system owner of this server can add the address.`)
  // Lists are keyed by their stored message: without one (never from the pipeline) nothing could stop a second reading.
  if (!mailKey) return refuse('The message is not in the mail bucket, so its lists cannot be read exactly once.')

  const csv: { index: number; attachment: MailAttachment }[] = []
  const warnings: string[] = []
  mail.attachments.forEach((attachment, index) => {
    const kind = attachmentKind(attachment)
    if (kind === 'csv') csv.push({ index, attachment })
    else warnings.push(kind.skipped)
  })
  if (!csv.length) return refuse(warnings.length ? `${NO_CSV} ${warnings.join(' ')}` : NO_CSV, warnings)

  const listIds: string[] = []
  for (const { index, attachment } of csv) {
    const list = await createMailedList(
      {
        organizerEmail: bulkSender.email,
        origin: 'bulk',
        layout: 'bulk',
        fileName: attachment.filename || `attachment-${index + 1}.csv`,
        size: attachment.content.byteLength,
        reportTo: sender.email,
        mailKey,
        inReplyTo: mail.messageId ?? undefined,
        dailyLimit: bulkSender.dailyLimit ?? undefined,
      },
      index,
      attachment.content,
    )
    listIds.push(list.id)
  }
  const names = csv.map(({ attachment, index }) => attachment.filename || `attachment-${index + 1}.csv`)
  return {
    outcome: 'list',
    reason: `${csv.length === 1 ? '1 list is' : `${csv.length} lists are`} being read (${names.join(', ')}).`,
    warnings,
    listIds,
  }
}
