/**
 * Invitation lists: the dashboard's VIP list (one event; a file uploaded straight to S3, or
 * pasted addresses) and lists mailed to the bulk mailbox (rows name their events). A list
 * is read by a worker, never by the web function, in passes over its file:
 *
 * - `check` (VIP lists): the preview: counts, and every rejected row with its reason;
 * - `send`: after the organizer's YES (a mailed list goes straight here), each row is
 *   invited through inviteMany, into the one send pipeline.
 *
 * A pass reads the file from the start as a stream (the reader finds duplicates across the
 * whole file), handles the rows after `position` in chunks, and after each chunk moves
 * `position` and the figures together in one conditional update. A pass that runs out of
 * time queues its own continuation; a worker that dies is replaced by SQS redelivering the
 * job, which resumes after the last chunk accounted for. Rows of a chunk invited before a
 * crash are found again as this list's own (`sameList`) and counted once.
 */
import { createHash, randomBytes } from 'node:crypto'
import { $add, EntityRepository, QueryCommand } from 'dynamodb-toolbox'
import { InvitationEntity, InvitationListEntity, ListRejectEntity, isConditionFailure, keys, keysStartingWith, table } from '../aws/table'
import { listFileKey, listFileSize, listUploadUrl, putListFile, readListFile } from '../aws/list-store'
import { config } from '../config'
import { LIST_REASONS, UnreadableList, type ListEntry, type ListInvalid, type ListDuplicate, type ListLayout, type ListRow } from '../domain/lists/list-entry'
import { readListBatches, tooLargeSentence } from '../domain/lists/read-list'
import { rejectedRow } from '../domain/lists/rejected-rows'
import type { ListOrigin, ListPass, ListView, RejectedRow } from '../../shared/schemas/lists'
import { checkListBatches, eventProblem } from './list-checks'
import { inviteMany } from './invitations'
import { loadEvent, type StoredEvent } from './event-store'
import { enqueueSendJobs } from './send-jobs'
import { encodeCursor, readCursor } from './cursors'

const lists = InvitationListEntity.build(EntityRepository)
const rejects = ListRejectEntity.build(EntityRepository)
const invitations = InvitationEntity.build(EntityRepository)

type ListItem = NonNullable<Awaited<ReturnType<typeof lists.get>>['Item']>

/**
 * Entries handled between two progress updates: ten of inviteMany's transactions of 49 rows.
 * A worker that dies redoes at most one chunk, each row of which it finds as its own.
 */
const CHUNK_ROWS = 490
/** How long one job works on a list before it queues its continuation (the send function has 60 s). */
const DEFAULT_BUDGET_MS = 40_000

export const toListView = (item: ListItem): ListView => {
  const settled = item.sent + item.failed + item.skipped
  return {
    id: item.id,
    origin: item.origin,
    eventUid: item.eventUid ?? null,
    fileName: item.fileName ?? null,
    phase: item.phase,
    problem: item.problem ?? null,
    rows: item.rows,
    valid: item.valid,
    invalid: item.invalid,
    duplicates: item.duplicates,
    queued: item.queued,
    refused: item.refused,
    sent: item.sent,
    failed: item.failed,
    skipped: item.skipped,
    done: item.phase === 'unreadable' || (item.phase === 'queued' && settled >= item.queued),
    createdAt: item.createdAt,
    confirmedAt: item.confirmedAt ?? null,
    finishedAt: item.finishedAt ?? null,
  }
}

export interface NewList {
  organizerEmail: string
  origin: ListOrigin
  layout: ListLayout
  eventUid?: string
  fileName?: string
  size?: number
  /** A mailed list: who is told how it went, and the message it came in. */
  reportTo?: string
  mailKey?: string
  inReplyTo?: string
  dailyLimit?: number
}

const newListId = () => randomBytes(12).toString('base64url')

async function createList(list: NewList, phase: ListItem['phase'], id = newListId()): Promise<ListItem> {
  const item = {
    ...list,
    organizerEmail: list.organizerEmail.toLowerCase(),
    id,
    fileKey: listFileKey(id),
    phase,
    createdAt: new Date().toISOString(),
  }
  await lists.put(item, { condition: { attr: 'id', exists: false } })
  return (await loadListItem(id))!
}

export async function loadListItem(id: string): Promise<ListItem | null> {
  const { Item } = await lists.get({ id }, { consistent: true })
  return Item ?? null
}

/** A VIP list whose file the browser uploads itself: the list, and where to PUT the file. */
export async function createUploadedList(list: NewList & { size: number }) {
  const maxBytes = config().listMaxBytes
  if (list.size > maxBytes) throw new UnreadableList(tooLargeSentence(maxBytes))
  const item = await createList(list, 'uploading')
  return { list: toListView(item), upload: { ...(await listUploadUrl(item.fileKey, list.size)), method: 'PUT' as const } }
}

/** A list given as text (addresses pasted in the dashboard, or a CSV mailed in): stored, then read by the worker. */
export async function createListFromText(list: NewList, content: string | Uint8Array, then: ListPass): Promise<ListView> {
  const item = await createList(list, then === 'check' ? 'checking' : 'queueing')
  await putListFile(item.fileKey, content)
  await enqueueSendJobs([{ type: 'list', listId: item.id, pass: then }])
  return toListView(item)
}

/** The id of the list attachment `index` of a mailed message becomes: the same for every delivery of the message. */
export const mailedListId = (mailKey: string, index: number) => createHash('sha256').update(`${mailKey}#${index}`).digest('base64url').slice(0, 16)

/**
 * A CSV mailed to the bulk mailbox (attachment `index` of the message `mailKey`), read and
 * sent at once. Its id comes from the message, so a redelivered message (or two deliveries
 * at once) makes one list; a delivery that finds the list still queueing stores the file
 * and queues its job again, both harmless twice (the same bytes; the worker resumes after
 * the last chunk accounted for), in case the one before stopped in between.
 */
export async function createMailedList(list: NewList & { mailKey: string }, index: number, content: string | Uint8Array): Promise<ListView> {
  const id = mailedListId(list.mailKey, index)
  let item: ListItem
  try {
    item = await createList(list, 'queueing', id)
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    item = (await loadListItem(id))!
    if (item.phase !== 'queueing') return toListView(item)
  }
  await putListFile(item.fileKey, content)
  await enqueueSendJobs([{ type: 'list', listId: id, pass: 'send' }])
  return toListView(item)
}

/** The upload is done: the worker reads and checks the file. Null when the file is not there. */
export async function startListCheck(item: ListItem): Promise<ListView | 'not-uploaded' | 'not-waiting'> {
  if (item.phase !== 'uploading') return 'not-waiting'
  const size = await listFileSize(item.fileKey)
  if (size === null) return 'not-uploaded'
  try {
    await lists.update({ id: item.id, phase: 'checking', size }, { condition: { attr: 'phase', eq: 'uploading' } })
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    return 'not-waiting'
  }
  await enqueueSendJobs([{ type: 'list', listId: item.id, pass: 'check' }])
  return toListView((await loadListItem(item.id))!)
}

/** The organizer typed YES: the worker invites the rows. */
export async function confirmListSend(item: ListItem): Promise<ListView | 'not-checked'> {
  try {
    await lists.update(
      { id: item.id, phase: 'queueing', position: 0, confirmedAt: new Date().toISOString() },
      { condition: { attr: 'phase', eq: 'checked' } },
    )
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    return 'not-checked'
  }
  await enqueueSendJobs([{ type: 'list', listId: item.id, pass: 'send' }])
  return toListView((await loadListItem(item.id))!)
}

/** The lists of an event, newest first. */
export async function listsOfEvent(eventUid: string): Promise<ListView[]> {
  const { Items } = await table
    .build(QueryCommand)
    .entities(InvitationListEntity)
    .query({ index: 'gsi1', partition: keys.eventLists(eventUid) })
    .options({ reverse: true, limit: 100 })
    .send()
  return (Items ?? []).map(toListView)
}

/** One page of a list's rejected rows, the preview's first, in row order. */
export async function rejectedRows(listId: string, options: { limit?: number; cursor?: string } = {}): Promise<{ rejected: RejectedRow[]; cursor: string | null }> {
  const partition = keys.list(listId)
  const startKey = readCursor(options.cursor, ['pk', 'sk'], (key) => key.pk === partition && (key.sk ?? '').startsWith(keys.listRejectPrefix()))
  const page = await table
    .build(QueryCommand)
    .entities(ListRejectEntity)
    .query({ partition, range: keysStartingWith(keys.listRejectPrefix()) })
    .options({ limit: options.limit ?? 100, exclusiveStartKey: startKey })
    .send()
  return {
    rejected: (page.Items ?? []).map(({ row, value, reason, pass }) => ({ row, value, reason, pass })),
    cursor: encodeCursor(page.LastEvaluatedKey),
  }
}

/** Every rejected row, page by page (for the CSV download and the status mail). */
export async function* allRejectedRows(listId: string): AsyncGenerator<RejectedRow> {
  let cursor: string | undefined
  do {
    const page = await rejectedRows(listId, { limit: 1000, cursor })
    yield* page.rejected
    cursor = page.cursor ?? undefined
  } while (cursor)
}

// ------------------------------------------------------------------ the worker

export interface ListJobContext {
  /** How long this job may work before it queues its continuation. */
  budgetMs?: number
  /** Entries between two progress updates. */
  chunkRows?: number
  now?: () => number
}

export interface ListJobResult {
  outcome: 'skipped' | 'queued' | 'fanned-out'
  reason: string
}

const isRejected = (entry: ListEntry): entry is ListInvalid | ListDuplicate => entry.kind !== 'row'

/** Runs one pass of a list (a `list` send job) until it is done or its time is up. */
export async function runListJob(listId: string, pass: ListPass, context: ListJobContext = {}): Promise<ListJobResult> {
  const now = context.now ?? Date.now
  const deadline = now() + (context.budgetMs ?? DEFAULT_BUDGET_MS)
  const stored = await loadListItem(listId)
  const expected = pass === 'check' ? 'checking' : 'queueing'
  if (!stored || stored.phase !== expected) return { outcome: 'skipped', reason: `The list ${listId} is not ${expected}.` }
  let list: ListItem = stored

  const event = list.eventUid ? await loadEvent(list.eventUid) : null
  // The check pass runs every check (its preview is what the organizer confirms); the send
  // pass leaves the server's checks to inviteMany, which makes them as it writes.
  const target = pass === 'check' ? { eventUid: list.eventUid, organizer: list.organizerEmail } : null
  let batches: AsyncIterator<ListEntry[]>
  try {
    if (list.eventUid && !event) throw new UnreadableList(`The event ${list.eventUid} no longer exists.`)
    const file = await readListFile(list.fileKey)
    if (!file) throw new UnreadableList("The list's file is not there any more; upload it again.")
    const source = readListBatches(file, { layout: list.layout, maxBytes: config().listMaxBytes })
    batches = checkListBatches(source, target)[Symbol.asyncIterator]()
  } catch (error) {
    return unreadable(list, error)
  }
  const events = new Map<string, Promise<StoredEvent | null>>(event ? [[event.state.uid, Promise.resolve(event)]] : [])
  const chunkRows = context.chunkRows ?? CHUNK_ROWS
  // Entries read and not yet handled (the rest of the last batch), and whether the file ended.
  let buffered: ListEntry[] = []
  let finished = false
  try {
    for (;;) {
      const chunk: ListEntry[] = []
      while (chunk.length < chunkRows) {
        if (!buffered.length) {
          if (finished) break
          const next = await batches.next()
          if (next.done) finished = true
          else buffered = next.value.filter((entry) => entry.row > list.position)
          continue
        }
        chunk.push(...buffered.splice(0, chunkRows - chunk.length))
      }
      if (chunk.length) {
        const moved: ListItem | null = pass === 'check' ? await checkChunk(list, chunk) : await sendChunk(list, chunk, events)
        if (!moved) return { outcome: 'skipped', reason: 'Another worker is on this list.' }
        list = moved
      }
      if (finished && !buffered.length) return finish(list, pass)
      if (now() > deadline) {
        await enqueueSendJobs([{ type: 'list', listId, pass }])
        return { outcome: 'queued', reason: `Handled rows up to ${list.position}; the rest continues in a new job.` }
      }
    }
  } catch (error) {
    return unreadable(list, error)
  }
}

async function unreadable(list: ListItem, error: unknown): Promise<ListJobResult> {
  if (!(error instanceof UnreadableList)) throw error
  await lists.update({ id: list.id, phase: 'unreadable', problem: error.message, finishedAt: new Date().toISOString() })
  if (list.reportTo) await enqueueSendJobs([{ type: 'list-report', listId: list.id }])
  return { outcome: 'skipped', reason: error.message }
}

async function finish(list: ListItem, pass: ListPass): Promise<ListJobResult> {
  const expected = pass === 'check' ? 'checking' : 'queueing'
  try {
    await lists.update(
      { id: list.id, phase: pass === 'check' ? 'checked' : 'queued', position: 0, ...(pass === 'send' ? { finishedAt: new Date().toISOString() } : {}) },
      { condition: { and: [{ attr: 'phase', eq: expected }, { attr: 'position', eq: list.position }] } },
    )
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    return { outcome: 'skipped', reason: 'Another worker finished this list.' }
  }
  if (pass === 'send' && list.reportTo) await enqueueSendJobs([{ type: 'list-report', listId: list.id }])
  return { outcome: 'fanned-out', reason: pass === 'check' ? `Checked ${list.rows} rows.` : `Queued ${list.queued} invitations; refused ${list.refused} rows.` }
}

/** Moves the list past `lastRow` with these figures added, unless another worker moved it first (then null). */
async function advance(list: ListItem, lastRow: number, figures: Partial<Record<'rows' | 'valid' | 'invalid' | 'duplicates' | 'queued' | 'refused', number>>) {
  const phase = list.phase
  try {
    const { Attributes } = await lists.update(
      { id: list.id, position: lastRow, ...Object.fromEntries(Object.entries(figures).map(([name, n]) => [name, $add(n)])) },
      { condition: { and: [{ attr: 'phase', eq: phase }, { attr: 'position', eq: list.position }] }, returnValues: 'ALL_NEW' },
    )
    return Attributes ?? loadListItem(list.id)
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    return null
  }
}

async function saveRejects(listId: string, pass: ListPass, rows: { row: number; value: string; reason: string }[]) {
  // Idempotent puts (same key, same row): a chunk done again after a crash writes the same items.
  for (let start = 0; start < rows.length; start += 25) {
    await Promise.all(rows.slice(start, start + 25).map((row) => rejects.put({ listId, sk: keys.listReject(pass, row.row), pass, ...row })))
  }
}

async function checkChunk(list: ListItem, chunk: ListEntry[]) {
  const rejected = chunk.filter(isRejected)
  await saveRejects(list.id, 'check', rejected.map(rejectedRow))
  return advance(list, chunk.at(-1)!.row, {
    rows: chunk.length,
    valid: chunk.length - rejected.length,
    invalid: rejected.filter((entry) => entry.kind === 'invalid').length,
    duplicates: rejected.filter((entry) => entry.kind === 'duplicate').length,
  })
}

/** The rows from `first` to `last` this pass rejected: one query of the few there are, not a read per row. */
async function rejectedRowsBetween(listId: string, pass: ListPass, first: number, last: number): Promise<Set<number>> {
  const rows = new Set<number>()
  let startKey: Record<string, unknown> | undefined
  do {
    const page = await table
      .build(QueryCommand)
      .entities(ListRejectEntity)
      .query({ partition: keys.list(listId), range: { between: [keys.listReject(pass, first), keys.listReject(pass, last)] } })
      .options({ consistent: true, exclusiveStartKey: startKey })
      .send()
    for (const item of page.Items ?? []) rows.add(item.row)
    startKey = page.LastEvaluatedKey
  } while (startKey)
  return rows
}

async function sendChunk(list: ListItem, chunk: ListEntry[], events: Map<string, Promise<StoredEvent | null>>) {
  // A VIP list was checked: its rows rejected then are not tried again (nor counted twice).
  const checked = list.origin === 'vip'
  const rejectedBefore = checked ? await rejectedRowsBetween(list.id, 'check', chunk[0]!.row, chunk.at(-1)!.row) : new Set<number>()
  const readRejects = chunk.filter(isRejected)
  const rows = chunk.filter((entry): entry is ListRow => entry.kind === 'row' && !rejectedBefore.has(entry.row))
  const refusedRows: { row: number; value: string; reason: string }[] = []
  let queued = 0

  const byEvent = new Map<string, ListRow[]>()
  for (const row of rows) {
    const uid = list.eventUid ?? row.uid ?? ''
    byEvent.set(uid, [...(byEvent.get(uid) ?? []), row])
  }
  for (const [uid, eventRows] of byEvent) {
    let event = events.get(uid)
    if (!event) events.set(uid, (event = loadEvent(uid)))
    const stored = await event
    const problem = eventProblem(stored, list.organizerEmail)
    if (problem) {
      refusedRows.push(...eventRows.map((row) => ({ row: row.row, value: row.value, reason: problem })))
      continue
    }
    const results = await inviteMany(stored!, eventRows.map((row) => ({ email: row.email, name: row.name })), {
      origin: list.origin,
      invitedBy: list.organizerEmail,
      listId: list.id,
      dailyLimit: list.dailyLimit,
    })
    results.forEach((result, index) => {
      if (result.outcome === 'queued' || result.sameList) queued++
      else refusedRows.push({ row: eventRows[index]!.row, value: eventRows[index]!.value, reason: result.listReason ?? result.reason })
    })
  }
  await saveRejects(list.id, 'send', refusedRows)
  if (!checked) await saveRejects(list.id, 'check', readRejects.map(rejectedRow))
  return advance(list, chunk.at(-1)!.row, {
    queued,
    refused: refusedRows.length,
    ...(checked
      ? {}
      : {
          rows: chunk.length,
          valid: chunk.length - readRejects.length,
          invalid: readRejects.filter((entry) => entry.kind === 'invalid').length,
          duplicates: readRejects.filter((entry) => entry.kind === 'duplicate').length,
        }),
  })
}

// ------------------------------------------------------------------ outcomes of the invitations

export type ListOutcomeFigure = 'sent' | 'failed' | 'skipped'

/**
 * Counts what became of one invitation in the figures of the list that queued it, at most
 * once (the invitation's `listCounted` flag and the list's figure change in one transaction).
 */
export async function countListOutcome(eventUid: string, email: string, figure: ListOutcomeFigure): Promise<void> {
  const { Item } = await invitations.get({ eventUid, email }, { consistent: true })
  if (!Item?.listId || Item.listCounted) return
  try {
    await EntityRepository.executeTransactWrite(
      invitations.transactUpdate({ eventUid, email, listCounted: true }, { condition: { and: [{ attr: 'listId', eq: Item.listId }, { attr: 'listCounted', exists: false }] } }),
      lists.transactUpdate({ id: Item.listId, [figure]: $add(1) }, { condition: { attr: 'id', exists: true } }),
    )
  } catch (error) {
    if (!isConditionFailure(error)) throw error
  }
}

export { LIST_REASONS }
