/**
 * What a hostile organizer, attendee or list author writes, followed through the pipeline to
 * the raw mail the local SES accepted and to the CSV files people open in a spreadsheet:
 * CR/LF in summaries and names adds no header to any mail (the organizer's confirmation, the
 * invitation, the report mail, the bulk status mail); markup stays text in the HTML bodies
 * (the invitation, the status mail); no invitation is queued to an address no mail may carry;
 * and no export (the attendee report and its mailed copy, a list's rejected rows, the bulk
 * status mail's attachment) holds a cell a spreadsheet would run as a formula.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import PostalMime, { type Email } from 'postal-mime'
import Papa from 'papaparse'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import { inviteToEvent, loadInvitation } from '../../server/services/invitations'
import { loadAttendees } from '../../server/services/event-store'
import { attendeeReport, emailAttendeeReport } from '../../server/services/reports'
import { allRejectedRows, createListFromText } from '../../server/services/invitation-lists'
import { setBulkSender } from '../../server/services/bulk-senders'
import { rejectedRowsCsv } from '../../server/domain/lists/rejected-rows'
import { FORMULA_START } from '../../server/domain/csv/write-csv'
import { EntityRepository } from 'dynamodb-toolbox'
import { MailLogEntity } from '../../server/aws/table'
import { deliver, imip, mailbox, rawSentMail, received, runSendQueue, useFreshSendQueue, useFreshTable, type RawSentMessage } from './support'

const run = randomUUID().slice(0, 8)
const domain = `hostile-${run}.example`
const organizer = `olga@${domain}`
const uid = `hostile-${run}@test`
/** A line break followed by headers of the writer's own: none may reach a mail as a header. */
const INJECTED = '\r\nX-Injected: yes\r\nBcc: evil@attacker.example'
/** Cells a spreadsheet runs as formulas. */
const mailLog = MailLogEntity.build(EntityRepository)
const FORMULAS = ['=HYPERLINK("http://attacker.example","open")', '+1+2', '-3+4', '@SUM(A1)']
/** Markup that would run in a mail reader that shows HTML. */
const MARKUP = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'

/**
 * The header lines of a message and of each of its MIME parts, unfolded: what a mail reader
 * takes as headers. A header the writer smuggled in shows up here as a line of its own.
 */
function headerLines(raw: Buffer): string[] {
  const lines: string[] = []
  const visit = (entity: string) => {
    const end = entity.indexOf('\r\n\r\n')
    const head = (end === -1 ? entity : entity.slice(0, end)).replace(/\r\n[ \t]/g, ' ')
    lines.push(...head.split('\r\n'))
    const boundary = /boundary="?([^";]+)"?/i.exec(head)?.[1]
    if (!boundary || end === -1) return
    // After the preamble, each part up to the closing boundary (`--boundary--`).
    for (const part of entity.slice(end + 4).split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break
      if (!part.startsWith('\r\n\r\n')) visit(part.slice(2))
    }
  }
  visit(raw.toString('latin1'))
  return lines
}

/** Checks one sent message: no smuggled header, a one-line subject, only the expected recipient. */
async function expectNoInjectedHeader(message: RawSentMessage, to: string): Promise<Email> {
  expect(message.to).toEqual([to])
  const lines = headerLines(message.raw)
  expect(lines.filter((line) => !/^[A-Za-z0-9-]+:/.test(line)), 'lines that are no header').toEqual([])
  expect(lines.filter((line) => /^(x-injected|bcc):/i.test(line))).toEqual([])
  const mail = await PostalMime.parse(message.raw)
  expect(mail.headers.filter((header) => ['x-injected', 'bcc'].includes(header.key))).toEqual([])
  expect(mail.subject ?? '').not.toMatch(/[\r\n]/)
  for (const attachment of mail.attachments) expect(attachment.filename ?? '').not.toMatch(/[\r\n"]/)
  return mail
}

/** The cells of a CSV text a spreadsheet would run as a formula (none, when it is neutralised). */
function formulaCells(csv: string): string[] {
  return Papa.parse<string[]>(csv, { skipEmptyLines: true }).data.flat().filter((cell) => FORMULA_START.test(cell))
}

const textOf = (content: ArrayBuffer | Uint8Array | string) => (typeof content === 'string' ? content : new TextDecoder().decode(content))

describe('hostile text in mail and CSV exports', { tags: ['security'] }, () => {
  beforeAll(async () => {
    await useFreshTable()
    await useFreshSendQueue()
  })

  it('adds no header to the confirmation, the invitation or the report mail, whatever the summary and names hold', async () => {
    const since = Date.now()
    // An iCalendar TEXT value carries a line break as \n, a parameter as ^n (RFC 6868).
    const ics = (text: string) => text.replace(/\r\n/g, '\\n')
    const raw = imip(organizer, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${uid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T100000Z', 'DTSTART:20270115T090000Z', 'DTEND:20270115T100000Z',
      `SUMMARY:Launch ${MARKUP}${ics(INJECTED)}`, `DESCRIPTION:Agenda ${MARKUP} <a href="javascript:alert(3)">slides</a>${ics(INJECTED)}`, `LOCATION:Room 1${ics(INJECTED)}`,
      `ORGANIZER;CN="Olga^nX-Injected: yes^nBcc: evil@attacker.example":mailto:${organizer}`,
      'END:VEVENT',
    ])
    const created = await deliver('create', received(raw, organizer))
    expect(created, JSON.stringify(created)).toMatchObject({ outcome: 'created' })

    const guest = `guest-${run}@guests.example`
    expect(await inviteToEvent({ eventUid: uid, email: guest, name: `Guest${INJECTED}`, origin: 'api', invitedBy: organizer })).toMatchObject({ outcome: 'queued' })
    await runSendQueue()
    await emailAttendeeReport(uid, organizer)
    await runSendQueue()

    const sent = await rawSentMail(since)
    expect(sent.length, 'the confirmation, the invitation and the report').toBe(3)
    for (const message of sent) await expectNoInjectedHeader(message, message.to.includes(guest) ? guest : organizer)
    const invitation = await PostalMime.parse(sent.find((message) => message.to.includes(guest))!.raw)
    // The text is kept, on one line, not dropped.
    expect(invitation.subject).toContain('Launch')
    expect(invitation.subject).toContain('X-Injected: yes')
    // The invitation's HTML body shows the markup as text.
    expect(invitation.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(invitation.html).not.toMatch(/<script|<img|href="javascript:/i)
  })

  // Attendees named by the organizer's calendar: names and addresses may start with + - @ =
  // (an iCalendar CAL-ADDRESS is any URI; = is no character this server mails to, so that
  // attendee is left out when the calendar is read).
  const formulaUid = `formulas-${run}@test`
  const attendees = [`one-${run}@guests.example`, `+2-${run}@guests.example`, `-3-${run}@guests.example`, `four-${run}@guests.example`]
  const unmailable = `=1+1-${run}@guests.example`
  let formulaWarnings: string[] = []

  it('neutralises formulas in the attendee report, downloaded and mailed', async () => {
    const raw = imip(organizer, mailbox('create'), 'REQUEST', [
      'BEGIN:VEVENT', `UID:${formulaUid}`, 'SEQUENCE:0', 'DTSTAMP:20261120T100000Z', 'DTSTART:20270115T090000Z', 'DTEND:20270115T100000Z',
      'SUMMARY:=HYPERLINK("http://attacker.example") planning', `ORGANIZER;CN=Olga:mailto:${organizer}`,
      ...attendees.map((email, index) => `ATTENDEE;CN="${FORMULAS[index]!.replace(/"/g, "^'")}";PARTSTAT=NEEDS-ACTION:mailto:${email}`),
      `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${unmailable}`,
      'END:VEVENT',
    ])
    const created = await deliver('create', received(raw, organizer))
    expect(created).toMatchObject({ outcome: 'created' })
    formulaWarnings = (await mailLog.get({ key: created.key })).Item?.warnings ?? []

    const report = (await attendeeReport(formulaUid))!
    expect(formulaCells(report.csv)).toEqual([])
    for (const value of [...FORMULAS, ...attendees.slice(1, 3)]) expect(report.csv, value).toContain(`'${value.replace(/"/g, '""')}`)
    expect(report.fileName).not.toMatch(/[\r\n"=]/)

    const since = Date.now()
    await emailAttendeeReport(formulaUid, organizer)
    await runSendQueue()
    // The organizer's confirmation of the event, and the report.
    const mails = await Promise.all((await rawSentMail(since, organizer)).map((sent) => expectNoInjectedHeader(sent, organizer)))
    const attached = mails.flatMap((mail) => mail.attachments).find((file) => file.filename?.endsWith('.csv'))
    expect(attached, 'the report attached').toBeDefined()
    expect(textOf(attached!.content)).toBe(report.csv)
  })

  it('leaves out, with a warning, a calendar attendee whose address no mail may carry, and refuses to invite it', async () => {
    // Queued, it would fail every attempt and stay "queued" for good.
    expect((await loadAttendees(formulaUid)).map((attendee) => attendee.email)).not.toContain(unmailable)
    expect(formulaWarnings).toEqual(expect.arrayContaining([expect.stringContaining(`${unmailable}" names no mail address`)]))
    expect(await inviteToEvent({ eventUid: formulaUid, email: unmailable, origin: 'api', invitedBy: organizer })).toMatchObject({ outcome: 'refused' })
    expect(await loadInvitation(formulaUid, unmailable)).toBeNull()
  })

  it('neutralises formulas in a list’s rejected rows and in the bulk status mail’s attachment', async () => {
    // A pasted VIP list: every row an invalid address that is a formula.
    const list = await createListFromText({ organizerEmail: organizer, origin: 'vip', layout: 'vip', eventUid: uid }, ['email', ...FORMULAS.map((cell) => `"${cell.replace(/"/g, '""')}"`)].join('\r\n'), 'check')
    await runSendQueue()
    const rejected = []
    for await (const row of allRejectedRows(list.id)) rejected.push(row)
    expect(rejected.map((row) => row.value)).toEqual(FORMULAS)
    const csv = rejectedRowsCsv(rejected)
    expect(formulaCells(csv)).toEqual([])
    expect(csv).toContain(`'+1+2`)

    // The same rows mailed to the bulk mailbox by a bulk sender, in a file whose name tries a header too.
    const sender = `bulk-${run}@${domain}`
    await setBulkSender(sender, { dailyLimit: null }, 'cli')
    const attachment = ['uid,email,name', ...[...FORMULAS, MARKUP].map((cell) => `${uid},"${cell.replace(/"/g, '""')}",x`), `${uid},ok-${run}@guests.example,"=cmd|' /C calc'!A0"`].join('\r\n')
    const message = await new MailComposer({
      from: sender, to: mailbox('bulk'), subject: `List${INJECTED}`, text: 'The list.',
      attachments: [{ filename: `guests${INJECTED}.csv`, content: attachment, contentType: 'text/csv' }],
    }).compile().build()
    const since = Date.now()
    expect(await deliver('bulk', received(message, sender))).toMatchObject({ outcome: 'list' })
    await runSendQueue()
    const status = (await rawSentMail(since, sender))
    expect(status).toHaveLength(1)
    const mail = await expectNoInjectedHeader(status[0]!, sender)
    expect(mail.attachments).toHaveLength(1)
    const attached = textOf(mail.attachments[0]!.content)
    expect(formulaCells(attached)).toEqual([])
    expect(attached).toContain(`'@SUM(A1)`)
    // The status mail's HTML body lists the rejected rows as text.
    expect(mail.html).toContain('&lt;script&gt;')
    expect(mail.html).not.toMatch(/<script|<img/i)
  })
})
