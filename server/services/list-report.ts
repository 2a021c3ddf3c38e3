/**
 * The status mail of lists mailed to the bulk mailbox: one per message, sent by the
 * `list-report` job of whichever of its lists is read last (each list's job finds the
 * others still being read and leaves it to that one), once (a send record keyed by the
 * message). It says what was accepted and what was rejected, with the reasons, in text and
 * HTML, with each list's rejected rows as a CSV attachment; the mail log's entry of the message
 * gets the counts as its reason.
 */
import MailComposer from 'nodemailer/lib/mail-composer'
import { config } from '../config'
import { bulkStatus, type ReadList, type RejectedFile } from '../domain/lists/bulk-status'
import { renderMailTemplate } from '../templates/mail'
import { useMailTemplates } from '../templates/in-use'
import { allRejectedRows, loadListItem } from './invitation-lists'
import { loggedListMessage, recordListCounts } from './mail-log'
import type { SendJob } from './send-jobs'
import { RetryLater, sendOnce, type SendContext, type SendResult } from './send-worker'

type ListItem = NonNullable<Awaited<ReturnType<typeof loadListItem>>>

/** Read to the end, or found unreadable: nothing about its rows will change. */
const isRead = (list: ListItem) => list.phase === 'queued' || list.phase === 'unreadable'

export async function deliverListReport(job: Extract<SendJob, { type: 'list-report' }>, context: SendContext): Promise<SendResult> {
  const list = await loadListItem(job.listId)
  if (!list?.reportTo) return { outcome: 'skipped', reason: `The list ${job.listId} does not exist or has nobody to report to.` }
  let lists = [list]
  let subject = list.fileName ?? ''
  let notes: string[] = []
  if (list.mailKey) {
    const message = await loggedListMessage(list.mailKey)
    // The list worker may be quicker than the inbound pipeline's last write.
    if (!message) throw new RetryLater(`The message ${list.mailKey} that list ${list.id} came in is not logged yet.`)
    lists = (await Promise.all(message.listIds.map(loadListItem))).filter((item) => item !== null)
    subject = message.subject
    notes = message.warnings
  }
  const waiting = lists.filter((item) => !isRead(item)).length
  if (waiting) return { outcome: 'skipped', reason: `${waiting} list(s) of the message are still being read; the last one sends the status mail.` }

  const read: ReadList[] = []
  for (const item of lists) {
    const rejected = []
    for await (const row of allRejectedRows(item.id)) rejected.push({ row: row.row, value: row.value, reason: row.reason })
    read.push({ ...item, fileName: item.fileName ?? null, problem: item.problem ?? null, rejected: rejected.sort((a, b) => a.row - b.row) })
  }
  const status = bulkStatus(read, notes)
  const reference = list.mailKey ?? list.id
  const { subject: mailSubject, text, html } = renderMailTemplate(
    'bulkListStatus',
    { ...status.values, subject: subject || '(no subject)', mailbox: config().mailboxes.bulk, reference },
    await useMailTemplates(),
  )
  const raw = await compose({ to: list.reportTo, subject: mailSubject, text, html: html ?? undefined, inReplyTo: list.inReplyTo, files: status.files })
  if (list.mailKey) await recordListCounts(list.mailKey, status.sentence)
  return sendOnce({
    key: `list-report#${reference}`,
    record: { email: list.reportTo },
    mail: { from: config().fromAddress, to: [list.reportTo], raw },
    invitation: null,
    sent: `Sent the status of ${lists.length} list(s) to ${list.reportTo}.`,
    context,
  })
}

async function compose(mail: { to: string; subject: string; text: string; html?: string; inReplyTo?: string; files: RejectedFile[] }): Promise<Buffer> {
  const composer = new MailComposer({
    from: config().fromAddress,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo, references: mail.inReplyTo } : {}),
    attachments: mail.files.map((file) => ({ filename: file.filename, content: file.csv, contentType: 'text/csv; charset=utf-8' })),
    // An answer to the sender's own message: marked automatic so no auto-reply answers it (RFC 3834).
    headers: { 'Auto-Submitted': 'auto-replied' },
  })
  return await new Promise<Buffer>((resolve, reject) => composer.compile().build((error, message) => (error ? reject(error) : resolve(message))))
}
