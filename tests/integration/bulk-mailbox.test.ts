/**
 * The bulk mailbox on the local stack, mailed through its SMTP port (the receipt rule's
 * stand-in decides the verdicts from the SMTP session): an authorized organizer's CSV
 * becomes invitations (origin `bulk`) for the rows of their own events, one status mail
 * says what was accepted and rejected (with every rejected row attached as CSV), the mail
 * log keeps the counts; a redelivered message does nothing more. Unauthorized senders are
 * refused, unverified ones get nothing, a message without CSV is told what is expected, and
 * a bulk sender's own daily limit refuses the rows past it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import nodemailer, { type Mail } from 'nodemailer'
import PostalMime from 'postal-mime'
import Papa from 'papaparse'
import { startQueuePoller, type QueuePoller } from '../../server/local/poller'
import { handleInboundMail } from '../../server/queues/inbound-mail'
import { processStoredMail } from '../../server/services/inbound-mail'
import { ingestMessage } from '../../server/services/ingest'
import { listMailLogOfSender, type MailLogEntry } from '../../server/services/mail-log'
import { setBulkSender } from '../../server/services/bulk-senders'
import { loadInvitation } from '../../server/services/invitations'
import { loadListItem, toListView } from '../../server/services/invitation-lists'
import { getRawMail } from '../../server/aws/mail-store'
import { LIST_REASONS } from '../../server/domain/lists/list-entry'
import { resetConfig } from '../../server/config'
import { mailbox, organizerCreatesEvent, rawSentMail, runSendQueue, useFreshSendQueue, useFreshTable } from './support'

const ALICE = 'alice@lists.example'
const OTTO = 'otto@elsewhere.example'

const organizerCreates = (uid: string, organizer: string) => organizerCreatesEvent(uid, organizer)

async function until<T>(check: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('the bulk mailbox', () => {
  let poller: QueuePoller
  let transport: Mail

  beforeAll(async () => {
    process.env.CIS_SEND_RATE = '500'
    resetConfig()
    await useFreshTable()
    await useFreshSendQueue(3)
    poller = startQueuePoller({ queue: 'inbound', handler: handleInboundMail, waitSeconds: 1 })
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(process.env.CIS_LOCAL_SMTP_PORT), secure: false, ignoreTLS: true })
  })
  afterAll(async () => {
    transport.close()
    await poller.stop()
  })

  /** Mails bulk@ through the SMTP port and waits for the pipeline to log the message. */
  async function mailBulk(from: string, attachments: { filename: string; content: string; contentType?: string }[], envelopeFrom = from) {
    const subject = `List ${randomUUID()}`
    const messageId = `<${randomUUID()}@lists.example>`
    await transport.sendMail({ envelope: { from: envelopeFrom, to: [mailbox('bulk')] }, from, to: mailbox('bulk'), subject, messageId, text: 'The list.', attachments })
    const entry = await until(async () => (await listMailLogOfSender(from)).find((e) => e.subject === subject && e.outcome !== 'received' && e.outcome !== 'failed'))
    return { entry, messageId, subject }
  }

  const parse = async (raw: Buffer) => PostalMime.parse(raw)

  it('invites the rows of the sender’s own events, rejects the others with reasons, sends one status mail, and nothing more on redelivery', async () => {
    const [e1, e2, others] = [`bulk-1-${randomUUID()}@test`, `bulk-2-${randomUUID()}@test`, `bulk-otto-${randomUUID()}@test`]
    await organizerCreates(e1, ALICE)
    await organizerCreates(e2, ALICE)
    await organizerCreates(others, OTTO)
    await setBulkSender(ALICE, { dailyLimit: null }, 'cli')
    await runSendQueue()
    const since = Date.now()

    const csv = ['uid,email,name', `${e1},ann@guests.example,Ann`, `${e2},bob@guests.example,Bob`, `${others},cleo@guests.example,Cleo`, `${e1},not-an-address,Nobody`, `${e1},ANN@guests.example,Ann again`].join('\r\n')
    const { entry, messageId, subject } = await mailBulk(ALICE, [{ filename: 'march.csv', content: csv, contentType: 'text/csv' }])
    expect(entry).toMatchObject({ mailbox: 'bulk', outcome: 'list', reason: '1 list is being read (march.csv).', senderVerified: true })
    await runSendQueue()

    // One invitation per valid row of Alice's events, origin bulk.
    const invited = await rawSentMail(since)
    const invitations = invited.filter((m) => !m.to.includes(ALICE))
    expect(invitations.flatMap((m) => m.to).sort()).toEqual(['ann@guests.example', 'bob@guests.example'])
    expect(await loadInvitation(e1, 'ann@guests.example')).toMatchObject({ origin: 'bulk', name: 'Ann', status: 'sent' })
    expect(await loadInvitation(e2, 'bob@guests.example')).toMatchObject({ origin: 'bulk', status: 'sent' })
    expect(await loadInvitation(others, 'cleo@guests.example')).toBeNull()

    // One status mail, threaded to the message, in text and HTML, with the rejected rows attached.
    const status = invited.filter((m) => m.to.includes(ALICE))
    expect(status).toHaveLength(1)
    const mail = await parse(status[0]!.raw)
    expect(mail.subject).toBe(`Your list for ${mailbox('bulk')}: 1 list with 5 rows: 2 invitations queued, 3 rows rejected.`)
    expect(mail.inReplyTo).toBe(messageId)
    expect(mail.text).toContain(`("${subject}")`)
    expect(mail.text).toContain('- march.csv: 5 rows, 2 invitations queued, 3 rows rejected (1 invalid, 1 duplicate, 1 refused)')
    expect(mail.text).toContain(`- march.csv, row 4: cleo@guests.example (${LIST_REASONS.notYourEvent})`)
    expect(mail.html).toContain('1 list with 5 rows: 2 invitations queued, 3 rows rejected.')
    expect(mail.attachments.map((a) => [a.filename, a.mimeType])).toEqual([['rejected-march.csv', 'text/csv']])
    const attached = mail.attachments[0]!.content
    const rows = Papa.parse<Record<string, string>>(typeof attached === 'string' ? attached : new TextDecoder().decode(attached), { header: true, skipEmptyLines: true }).data
    expect(rows).toEqual([
      { row: '4', value: 'cleo@guests.example', reason: LIST_REASONS.notYourEvent },
      { row: '5', value: 'not-an-address', reason: LIST_REASONS.invalidAddress },
      { row: '6', value: 'ANN@guests.example', reason: 'duplicate of row 2' },
    ])

    // The mail log shows the outcome and the counts.
    const [logged] = (await listMailLogOfSender(ALICE)).filter((e) => e.key === entry.key)
    expect(logged).toMatchObject<Partial<MailLogEntry>>({ outcome: 'list', reason: '1 list with 5 rows: 2 invitations queued, 3 rows rejected.' })

    // Redelivered (SQS at least once): recognised, nothing more.
    const again = Date.now()
    expect(await processStoredMail(entry.key)).toMatchObject({ outcome: 'list', repeated: true })
    // Even read again from scratch (a delivery that stopped before logging): the same list, nothing new.
    const raw = (await getRawMail(entry.key))!
    const reread = await ingestMessage(raw, { mailbox: 'bulk', mailKey: entry.key, receivedAt: new Date().toISOString(), receipt: { source: ALICE, from: [ALICE], verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' } } })
    expect(logged!.listIds).toHaveLength(1)
    expect(reread).toMatchObject({ outcome: 'list', listIds: logged!.listIds })
    expect(toListView((await loadListItem(reread.listIds![0]!))!)).toMatchObject({ phase: 'queued', rows: 5, queued: 2, refused: 1 })
    await runSendQueue()
    expect(await rawSentMail(again)).toEqual([])
  })

  it('sends one status mail for a message of several lists, when the last is read, naming a list it could not read and what it skipped', async () => {
    await setBulkSender(ALICE, { dailyLimit: null }, 'cli')
    const uid = `bulk-many-${randomUUID()}@test`
    await organizerCreates(uid, ALICE)
    await runSendQueue()
    const since = Date.now()
    const { entry } = await mailBulk(ALICE, [
      { filename: 'first.csv', content: `uid,email,name\r\n${uid},fay@guests.example,Fay\r\n`, contentType: 'text/csv' },
      { filename: 'notes.pdf', content: '%PDF-1.4', contentType: 'application/pdf' },
      { filename: 'second.csv', content: `uid,email,name\r\n${uid},gus@guests.example,Gus\r\n${uid},fay@,Fay\r\n`, contentType: 'application/vnd.ms-excel' },
      { filename: 'empty.csv', content: 'uid,email,name\r\n', contentType: 'text/csv' },
    ])
    expect(entry).toMatchObject({ outcome: 'list', reason: '3 lists are being read (first.csv, second.csv, empty.csv).', warnings: ['notes.pdf is not a CSV file.'] })
    await runSendQueue()
    const sent = await rawSentMail(since)
    expect(sent.filter((m) => !m.to.includes(ALICE)).flatMap((m) => m.to).sort()).toEqual(['fay@guests.example', 'gus@guests.example'])
    const status = sent.filter((m) => m.to.includes(ALICE))
    expect(status).toHaveLength(1)
    const mail = await parse(status[0]!.raw)
    expect(mail.subject).toContain('2 lists with 3 rows: 2 invitations queued, 1 row rejected. 1 list could not be read.')
    expect(mail.text).toContain('- first.csv: 1 row, 1 invitation queued, 0 rows rejected\n- second.csv: 2 rows, 1 invitation queued, 1 row rejected (1 invalid)\n- empty.csv could not be read: The file has a header row but no rows under it.')
    expect(mail.text).toContain(`- second.csv, row 3: fay@ (${LIST_REASONS.invalidAddress})`)
    expect(mail.text).toContain('Not read:\n- notes.pdf is not a CSV file.')
    expect(mail.attachments.map((a) => a.filename)).toEqual(['rejected-second.csv'])
    expect((await listMailLogOfSender(ALICE)).find((e) => e.key === entry.key)).toMatchObject({ outcome: 'list', reason: '2 lists with 3 rows: 2 invitations queued, 1 row rejected. 1 list could not be read.' })
  })

  it('refuses a verified sender who is not a bulk sender, with a short refusal, and sends nothing else', { tags: ['security'] }, async () => {
    const sender = `nobody-${randomUUID().slice(0, 8)}@lists.example`
    const uid = `bulk-nobody-${randomUUID()}@test`
    await organizerCreates(uid, sender)
    await runSendQueue()
    const since = Date.now()
    const { entry } = await mailBulk(sender, [{ filename: 'list.csv', content: `uid,email,name\r\n${uid},dan@guests.example,Dan\r\n`, contentType: 'text/csv' }])
    expect(entry).toMatchObject({ outcome: 'rejected', reason: `${sender} is not an authorized bulk sender; a system owner of this server can add the address.` })
    await runSendQueue()
    const sent = await rawSentMail(since)
    expect(sent.map((m) => m.to)).toEqual([[sender]])
    const refusal = await parse(sent[0]!.raw)
    expect(refusal.subject).toMatch(/^Your list was not read: "List /)
    expect(refusal.text).toContain('is not an authorized bulk sender')
    expect(await loadInvitation(uid, 'dan@guests.example')).toBeNull()
  })

  it('answers an unverified sender nothing at all (the From may be forged), even one naming a bulk sender', { tags: ['security'] }, async () => {
    await setBulkSender(ALICE, { dailyLimit: null }, 'cli')
    const uid = `bulk-forged-${randomUUID()}@test`
    await organizerCreates(uid, ALICE)
    await runSendQueue()
    const since = Date.now()
    // The stack's rule: an envelope sender at forged.test fails SPF and DKIM.
    const { entry } = await mailBulk(ALICE, [{ filename: 'list.csv', content: `uid,email,name\r\n${uid},eve@guests.example,Eve\r\n`, contentType: 'text/csv' }], 'mallory@forged.test')
    expect(entry).toMatchObject({ outcome: 'rejected', senderVerified: false, reason: expect.stringMatching(/^The sender could not be verified/) })
    await runSendQueue()
    expect(await rawSentMail(since)).toEqual([])
    expect(await loadInvitation(uid, 'eve@guests.example')).toBeNull()
  })

  it.each([
    ['no attachment', [], 'The message has no CSV attachment: attach one or more CSV files with the columns uid,email,name.'],
    [
      'a workbook only',
      [{ filename: 'guests.xlsx', content: 'PK', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }],
      'The message has no CSV attachment: attach one or more CSV files with the columns uid,email,name. guests.xlsx is a spreadsheet workbook; save the sheet as CSV (uid,email,name) and send that.',
    ],
  ])('tells a bulk sender who sent %s what is expected', async (_, attachments, reason) => {
    await setBulkSender(ALICE, { dailyLimit: null }, 'cli')
    const since = Date.now()
    const { entry } = await mailBulk(ALICE, attachments)
    expect(entry).toMatchObject({ outcome: 'rejected', reason })
    await runSendQueue()
    const sent = await rawSentMail(since)
    expect(sent.map((m) => m.to)).toEqual([[ALICE]])
    expect((await parse(sent[0]!.raw)).text).toContain(reason)
  })

  it("keeps to the bulk sender's own daily limit: the rows past it are rejected with the reason", async () => {
    const sender = `limited-${randomUUID().slice(0, 8)}@lists.example`
    const uid = `bulk-limit-${randomUUID()}@test`
    await organizerCreates(uid, sender)
    await setBulkSender(sender, { dailyLimit: 2 }, 'cli')
    await runSendQueue()
    const since = Date.now()
    const csv = ['uid,email,name', ...['a', 'b', 'c', 'd'].map((name) => `${uid},${name}@guests.example,${name}`)].join('\n')
    await mailBulk(sender, [{ filename: 'four.csv', content: csv, contentType: 'text/csv' }])
    await runSendQueue()
    const sent = await rawSentMail(since)
    expect(sent.filter((m) => !m.to.includes(sender)).flatMap((m) => m.to).sort()).toEqual(['a@guests.example', 'b@guests.example'])
    const [status] = sent.filter((m) => m.to.includes(sender))
    const mail = await parse(status!.raw)
    expect(mail.subject).toContain('1 list with 4 rows: 2 invitations queued, 2 rows rejected.')
    expect(mail.text).toContain(`- four.csv, row 4: c@guests.example (${LIST_REASONS.overDailyLimit})`)
    expect(mail.text).toContain(`- four.csv, row 5: d@guests.example (${LIST_REASONS.overDailyLimit})`)
  })
})
