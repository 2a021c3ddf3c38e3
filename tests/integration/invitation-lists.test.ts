/**
 * Invitation lists on the local stack: a VIP list pasted or uploaded straight to S3 through
 * its presigned URL, read and checked by the list worker (the send queue played as Lambda
 * plays it), sent after YES into the one send pipeline; the same list sent again invites
 * nobody twice; the daily quota and the attendee limit refuse by row; a pass runs out of
 * time and continues, and a worker that died mid-chunk is resumed without counting or
 * sending anything twice. And the batch invite API's rules.
 */
import { describe, it, expect, beforeAll, afterEach } from 'vitest'
import { randomUUID } from 'node:crypto'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EntityRepository } from 'dynamodb-toolbox'
import { InvitationEntity, InvitationListEntity } from '../../server/aws/table'
import { resetConfig } from '../../server/config'
import { loadEvent } from '../../server/services/event-store'
import { inviteMany, inviteToEvent, loadInvitation } from '../../server/services/invitations'
import { unsubscribe } from '../../server/services/suppression'
import {
  allRejectedRows,
  confirmListSend,
  createListFromText,
  createUploadedList,
  loadListItem,
  runListJob,
  startListCheck,
  toListView,
} from '../../server/services/invitation-lists'
import { inviteBatch } from '../../server/services/batch-invites'
import { createSendHandler } from '../../server/queues/send'
import { LIST_REASONS } from '../../server/domain/lists/list-entry'
import { mailbox, organizerCreatesEvent, rawSentMail, runSendQueue, useFreshSendQueue, useFreshTable } from './support'

const ORGANIZER = 'vera@lists.example'
const OTHER = 'otto@elsewhere.example'

const organizerCreates = (uid: string, organizer = ORGANIZER) => organizerCreatesEvent(uid, organizer, 'Vera')

const vipList = (uid: string) => ({ organizerEmail: ORGANIZER, origin: 'vip' as const, layout: 'vip' as const, eventUid: uid })
const view = async (id: string) => toListView((await loadListItem(id))!)
const rejectedOf = async (id: string) => {
  const rows = []
  for await (const row of allRejectedRows(id)) rows.push(row)
  return rows
}
const setLimits = (limits: { daily?: number; event?: number }) => {
  if (limits.daily) process.env.CIS_DAILY_INVITE_LIMIT = String(limits.daily)
  else delete process.env.CIS_DAILY_INVITE_LIMIT
  if (limits.event) process.env.CIS_EVENT_ATTENDEE_LIMIT = String(limits.event)
  else delete process.env.CIS_EVENT_ATTENDEE_LIMIT
  resetConfig()
}

describe('invitation lists', () => {
  beforeAll(async () => {
    process.env.CIS_SEND_RATE = '500'
    resetConfig()
    await useFreshTable()
    await useFreshSendQueue(3)
  })
  afterEach(() => setLimits({}))

  it('checks a pasted list, shows each rejected row with its reason, and sends only after YES, once', async () => {
    const uid = `list-paste-${randomUUID()}@test`
    await organizerCreates(uid)
    await inviteToEvent({ eventUid: uid, email: 'already@guests.example', origin: 'api', invitedBy: ORGANIZER })
    await unsubscribe('gone@guests.example')
    await runSendQueue()
    const text = [
      'email,name',
      'Ann <ann@guests.example>,',
      'bob@guests.example,Bob',
      'not-an-address,Nobody',
      'ANN@guests.example,Ann again',
      `${mailbox('bulk')},Loop`,
      'gone@guests.example,Gone',
      'already@guests.example,Already',
      'cleo@guests.example,=HYPERLINK("http://x")',
    ].join('\n')
    const created = await createListFromText({ ...vipList(uid), fileName: 'pasted' }, text, 'check')
    expect(created.phase).toBe('checking')
    const since = Date.now()
    await runSendQueue()
    expect(await view(created.id)).toMatchObject({ phase: 'checked', rows: 8, valid: 3, invalid: 4, duplicates: 1, queued: 0, done: false })
    expect(await rejectedOf(created.id)).toEqual([
      { row: 4, value: 'not-an-address', reason: LIST_REASONS.invalidAddress, pass: 'check' },
      { row: 5, value: 'ANN@guests.example', reason: 'duplicate of row 2', pass: 'check' },
      { row: 6, value: mailbox('bulk'), reason: LIST_REASONS.serverMailbox, pass: 'check' },
      { row: 7, value: 'gone@guests.example', reason: LIST_REASONS.unsubscribed, pass: 'check' },
      { row: 8, value: 'already@guests.example', reason: LIST_REASONS.alreadyInvited, pass: 'check' },
    ])
    // Checking sent nothing.
    expect(await rawSentMail(since)).toEqual([])

    expect(await confirmListSend((await loadListItem(created.id))!)).toMatchObject({ phase: 'queueing' })
    await runSendQueue()
    const done = await view(created.id)
    expect(done).toMatchObject({ phase: 'queued', queued: 3, refused: 0, sent: 3, failed: 0, skipped: 0, done: true })
    const sent = await rawSentMail(since)
    expect(sent.flatMap((message) => message.to).sort()).toEqual(['ann@guests.example', 'bob@guests.example', 'cleo@guests.example'])
    expect(await loadInvitation(uid, 'cleo@guests.example')).toMatchObject({ origin: 'vip', name: '=HYPERLINK("http://x")', status: 'sent' })
    // A second YES changes nothing.
    expect(await confirmListSend((await loadListItem(created.id))!)).toBe('not-checked')

    // The same list again: every row already invited, nobody mailed twice.
    const again = await createListFromText({ ...vipList(uid), fileName: 'again' }, text, 'check')
    await runSendQueue()
    expect(await view(again.id)).toMatchObject({ phase: 'checked', rows: 8, valid: 0 })
    await confirmListSend((await loadListItem(again.id))!)
    await runSendQueue()
    expect(await view(again.id)).toMatchObject({ phase: 'queued', queued: 0, done: true })
    expect((await rawSentMail(since)).length).toBe(3)
  })

  it('reads a file the browser uploaded straight to S3 through the presigned URL', async () => {
    const uid = `list-upload-${randomUUID()}@test`
    await organizerCreates(uid)
    const file = Buffer.from('\uFEFFemail;name\r\ndora@guests.example;Dora\r\neve@guests.example;Eve\r\n')
    const { list, upload } = await createUploadedList({ ...vipList(uid), fileName: 'guests.csv', size: file.byteLength })
    expect(list.phase).toBe('uploading')
    // Before the upload there is nothing to read.
    expect(await startListCheck((await loadListItem(list.id))!)).toBe('not-uploaded')
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: file })
    expect(put.status).toBe(200)
    expect(await startListCheck((await loadListItem(list.id))!)).toMatchObject({ phase: 'checking' })
    await runSendQueue()
    expect(await view(list.id)).toMatchObject({ phase: 'checked', rows: 2, valid: 2, invalid: 0 })
  })

  it('refuses a file whose upload URL would be larger than a list may be', async () => {
    await expect(createUploadedList({ ...vipList('any'), fileName: 'huge.csv', size: 60_000_000 })).rejects.toThrow('The file is larger than the 50 MB a list may have: split it into smaller files.')
  })

  it('queues what fits in the daily quota and the attendee limit, and refuses the rest by row', async () => {
    const uid = `list-limits-${randomUUID()}@test`
    await organizerCreates(uid, 'lena@limits.example')
    setLimits({ daily: 3 })
    const list = { organizerEmail: 'lena@limits.example', origin: 'vip' as const, layout: 'vip' as const, eventUid: uid }
    const text = ['a', 'b', 'c', 'd', 'e'].map((name) => `${name}@quota.example`).join('\n')
    const created = await createListFromText(list, text, 'check')
    await runSendQueue()
    await confirmListSend((await loadListItem(created.id))!)
    await runSendQueue()
    expect(await view(created.id)).toMatchObject({ phase: 'queued', rows: 5, queued: 3, refused: 2, sent: 3, done: true })
    expect((await rejectedOf(created.id)).filter((row) => row.pass === 'send')).toEqual([
      { row: 4, value: 'd@quota.example', reason: LIST_REASONS.overDailyLimit, pass: 'send' },
      { row: 5, value: 'e@quota.example', reason: LIST_REASONS.overDailyLimit, pass: 'send' },
    ])
    // The single invite counts against the same quota.
    expect(await inviteToEvent({ eventUid: uid, email: 'f@quota.example', origin: 'dashboard', invitedBy: 'lena@limits.example' })).toMatchObject({ outcome: 'refused' })

    // The event's attendee limit: room for three.
    const capped = `list-cap-${randomUUID()}@test`
    await organizerCreates(capped, 'carl@cap.example')
    setLimits({ event: 3 })
    const attendees = (await loadEvent(capped))!
    const results = await inviteMany(attendees, ['p', 'q', 'r', 's'].map((name) => ({ email: `${name}@cap.example` })), { origin: 'api', invitedBy: 'carl@cap.example' })
    expect(results.map((result) => result.outcome)).toEqual(['queued', 'queued', 'queued', 'refused'])
    expect(results[3]!.listReason).toBe(LIST_REASONS.overEventLimit)
    expect((await loadEvent(capped))!.state.uid).toBe(capped)
  })

  it('continues a long list in jobs of its own, and resumes a crashed worker without sending anyone twice', async () => {
    const uid = `list-resume-${randomUUID()}@test`
    await organizerCreates(uid)
    // Chunks of 50 rows (500 on Lambda) keep the test short.
    const rows = Array.from({ length: 120 }, (_, index) => `guest${index + 1}@resume.example`)
    const created = await createListFromText(vipList(uid), rows.join('\n'), 'check')
    await runSendQueue()
    expect(await view(created.id)).toMatchObject({ phase: 'checked', rows: 120, valid: 120 })
    await confirmListSend((await loadListItem(created.id))!)

    // One chunk, then the time is up: the rest is a job of its own. A worker took that job,
    // invited rows 51–80 of the next chunk and died before accounting for them.
    const first = await runListJob(created.id, 'send', { budgetMs: 0, chunkRows: 50 })
    expect(first.outcome).toBe('queued')
    expect(await view(created.id)).toMatchObject({ queued: 50 })
    const event = (await loadEvent(uid))!
    await inviteMany(event, rows.slice(50, 80).map((email) => ({ email })), { origin: 'vip', invitedBy: ORGANIZER, listId: created.id })

    const since = Date.now()
    await runSendQueue(undefined, { idleRounds: 3 })
    const done = await view(created.id)
    expect(done).toMatchObject({ phase: 'queued', queued: 120, refused: 0, sent: 120, done: true })
    const sent = await rawSentMail(since - 60_000)
    const recipients = sent.flatMap((message) => message.to).filter((to) => to.endsWith('@resume.example'))
    expect(recipients.length).toBe(120)
    expect(new Set(recipients).size).toBe(120)
  })

  it('resumes a list whose worker process was killed in the middle of its send pass; each row is invited and sent once', async () => {
    const uid = `list-killed-${randomUUID()}@test`
    await organizerCreates(uid)
    const rows = Array.from({ length: 200 }, (_, index) => `killed${index + 1}@kill.example`)
    const created = await createListFromText(vipList(uid), rows.join('\n'), 'check')
    await runSendQueue()
    await confirmListSend((await loadListItem(created.id))!)
    const since = Date.now()
    // A worker in a process of its own, with chunks of 20 rows and a slow SES account (it
    // sends little before it dies), killed once it has accounted for some chunks but not all.
    const worker = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/send-worker-process.ts', import.meta.url))], {
      env: { ...process.env, CIS_SEND_RATE: '1', CIS_TEST_LIST_CHUNK_ROWS: '20' },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    let position = 0
    while (position === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      position = (await loadListItem(created.id))!.position
    }
    worker.kill('SIGKILL')
    await new Promise((resolve) => worker.once('exit', resolve))
    const atDeath = (await loadListItem(created.id))!
    expect(atDeath.phase).toBe('queueing')
    expect(atDeath.position).toBeGreaterThan(0)
    expect(atDeath.position).toBeLessThan(200)

    // The job comes back after its visibility timeout; a new worker finishes the list.
    await new Promise((resolve) => setTimeout(resolve, 5500))
    await runSendQueue(createSendHandler({ backoffSeconds: 0, claimLeaseMs: 4000 }), { idleRounds: 3 })
    const done = await view(created.id)
    expect(done).toMatchObject({ phase: 'queued', rows: 200, queued: 200, refused: 0, done: true })
    // At most the message the worker was sending as it died is `unknown` (it may have gone out); none twice.
    expect(done.sent + done.failed).toBe(200)
    expect(done.failed).toBeLessThanOrEqual(1)
    const recipients = (await rawSentMail(since)).flatMap((message) => message.to).filter((to) => to.endsWith('@kill.example'))
    expect(recipients.length).toBe(new Set(recipients).size)
    expect(recipients.length).toBeGreaterThanOrEqual(199)
  }, 60_000)

  it('marks an unreadable list with its sentence', async () => {
    const uid = `list-empty-${randomUUID()}@test`
    await organizerCreates(uid)
    const created = await createListFromText(vipList(uid), '\n\n', 'check')
    await runSendQueue()
    const item = await view(created.id)
    expect(item.phase).toBe('unreadable')
    expect(item.problem).toMatch(/empty/i)
    expect(item.done).toBe(true)

    // A list whose file is gone (deleted, or never uploaded) says so rather than failing its job again and again.
    const id = `nofile${randomUUID().slice(0, 8)}`
    await InvitationListEntity.build(EntityRepository).put({ ...vipList(uid), id, fileKey: `lists/${id}.csv`, phase: 'queueing', createdAt: new Date().toISOString() })
    expect(await runListJob(id, 'send')).toMatchObject({ outcome: 'skipped' })
    expect(await view(id)).toMatchObject({ phase: 'unreadable', problem: "The list's file is not there any more; upload it again.", done: true })
  })
})

describe('the batch invite API', () => {
  beforeAll(async () => {
    await useFreshTable()
    await useFreshSendQueue(3)
  })

  it('invites each row by the single invite rules, only to the caller\'s own events', async () => {
    const mine = `batch-mine-${randomUUID()}@test`
    const theirs = `batch-theirs-${randomUUID()}@test`
    await organizerCreates(mine)
    await organizerCreates(theirs, OTHER)
    const answer = await inviteBatch(
      { email: ORGANIZER },
      [
        { uid: mine, email: 'hana@batch.example', name: 'Hana' },
        { uid: mine, email: 'HANA@batch.example' },
        { uid: mine, email: 'not an address' },
        { uid: theirs, email: 'ivan@batch.example' },
        { uid: 'nothing-here@test', email: 'jo@batch.example' },
        { uid: mine, email: mailbox('create') },
        { uid: mine, email: 'kim@batch.example', name: 'x'.repeat(201) },
      ],
      'api',
    )
    expect(answer.results.map(({ row, outcome }) => [row, outcome])).toEqual([
      [1, 'queued'],
      [2, 'already-invited'],
      [3, 'refused'],
      [4, 'refused'],
      [5, 'refused'],
      [6, 'refused'],
      [7, 'refused'],
    ])
    expect(answer.results[3]!.reason).toBe(`There is no event ${theirs} among yours.`)
    expect(answer.results[4]!.reason).toBe('There is no event nothing-here@test among yours.')
    expect(answer).toMatchObject({ queued: 1, alreadyInvited: 1, refused: 5 })
    expect((await InvitationEntity.build(EntityRepository).get({ eventUid: theirs, email: 'ivan@batch.example' })).Item).toBeUndefined()
    // Sent again: nobody is queued twice.
    const again = await inviteBatch({ email: ORGANIZER }, [{ uid: mine, email: 'hana@batch.example' }], 'api')
    expect(again.results[0]!.outcome).toBe('already-invited')
  })
})
