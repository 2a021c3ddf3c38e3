/**
 * The second half of `npm run bench:bulk`: a 100,000-row VIP list for one event on the local
 * stack (in a process of its own), from upload to every invitation queued, the real path:
 * createUploadedList, a fetch PUT to the presigned URL, startListCheck, the check pass run by
 * the send handler from the send queue, confirmListSend (YES), the send pass, until the list
 * is `queued` with queued = 100,000. The bench plays the send queue as Lambda would, but runs
 * only `list` jobs: `deliver` jobs are received and deleted (counted, never sent), by two
 * loops of their own, as other invocations would take them off the queue.
 *
 * Baselines in the same run, on the same stack: 100,000 invitation items written with plain
 * BatchWriteItem (25 an item request, 4 in flight), and 100,000 `deliver` jobs enqueued with
 * sendBatchToQueue in groups of 500 (as inviteMany does per chunk).
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStackProcess } from './stack-client'
import { writeListFile } from './list-files'
import { reportFigure } from './figures'

const ROWS = Number(process.env.BENCH_BULK_SEND_ROWS ?? 100_000)
const ORGANIZER = 'olga@bench.example'

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const perSecond = (rows: number, ms: number) => `${Math.round((rows * 1000) / ms).toLocaleString('en')} rows/s`

export async function benchBulkSend(): Promise<void> {
  const stack = await startStackProcess()
  try {
    Object.assign(process.env, stack.env, {
      CIS_EVENT_ATTENDEE_LIMIT: String(10 * ROWS),
      CIS_DAILY_INVITE_LIMIT: String(10 * ROWS),
      CIS_SEND_RATE: '500',
    })
    const { resetConfig, config } = await import('../../server/config')
    const { resetClients, clients } = await import('../../server/aws/clients')
    resetConfig()
    resetClients()
    const { EntityRepository, BatchWriteCommand, BatchPutRequest, executeBatchWrite } = await import('dynamodb-toolbox')
    const { EventEntity, InvitationEntity, table } = await import('../../server/aws/table')
    const { sendBatchToQueue, queueUrl } = await import('../../server/aws/queue')
    const { ReceiveMessageCommand, DeleteMessageBatchCommand, PurgeQueueCommand, GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs')
    const { createSendHandler } = await import('../../server/queues/send')
    const { toSqsRecord } = await import('../../server/local/poller')
    const { createLogger } = await import('../../server/log')
    const lists = await import('../../server/services/invitation-lists')
    const { inBatches } = await import('./process-figures')

    const folder = mkdtempSync(join(tmpdir(), 'cis-bulk-send-'))
    const file = join(folder, `vip-${ROWS}.csv`)
    await writeListFile(file, ROWS, { duplicateEvery: 0, invalidEvery: 0 })
    const uid = `bench-bulk-${Date.now()}@bench.example`
    await EventEntity.build(EntityRepository).put({
      uid, organizerEmail: ORGANIZER, organizerName: 'Olga', organizerDomain: 'bench.example', summary: 'Bulk benchmark',
      start: '2027-03-01T10:00:00Z', end: '2027-03-01T11:00:00Z', dtstamp: '2026-11-01T00:00:00Z',
    })
    const sqs = clients().sqs
    const sendQueue = await queueUrl('send')

    // ——— Baselines ———
    const invitedAt = new Date().toISOString()
    const baselineUid = `bench-bulk-baseline-${Date.now()}@bench.example`
    let started = performance.now()
    await inBatches(Math.ceil(ROWS / 25), 4, async (batch) => {
      const requests = Array.from({ length: Math.min(25, ROWS - batch * 25) }, (_, i) =>
        InvitationEntity.build(BatchPutRequest).item({
          eventUid: baselineUid, email: `guest.${batch * 25 + i + 1}@example.org`, name: `Guest ${batch * 25 + i + 1}`,
          origin: 'vip', invitedAt, invitedBy: ORGANIZER, status: 'queued',
        }),
      )
      await executeBatchWrite({ maxAttempts: 10 }, table.build(BatchWriteCommand).requests(...(requests as [(typeof requests)[0]])))
    })
    const batchWriteMs = performance.now() - started
    started = performance.now()
    for (let start = 0; start < ROWS; start += 500) {
      await sendBatchToQueue('send', Array.from({ length: Math.min(500, ROWS - start) }, (_, i) => ({ type: 'deliver', eventUid: baselineUid, email: `guest.${start + i + 1}@example.org` })))
    }
    const enqueueMs = performance.now() - started
    await sqs.send(new PurgeQueueCommand({ QueueUrl: sendQueue }))

    // ——— The queue, played as Lambda would, list jobs only ———
    const handler = createSendHandler({ log: createLogger({ output: () => {} }) })
    const arn = `arn:aws:sqs:${config().region}:000000000000:${config().queues.send}`
    const listJobs: import('@aws-sdk/client-sqs').Message[] = []
    let delivers = 0
    let lastDeliverAt = 0
    let stopped = false
    const take = async () => {
      while (!stopped) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: sendQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 600, MessageSystemAttributeNames: ['All'] }),
        )
        const others = Messages.filter((message) => (JSON.parse(message.Body!) as { type: string }).type !== 'list')
        listJobs.push(...Messages.filter((message) => !others.includes(message)))
        if (others.length) {
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: sendQueue, Entries: others.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle! })) }))
          delivers += others.filter((message) => JSON.parse(message.Body!).type === 'deliver').length
          lastDeliverAt = performance.now()
        }
      }
    }
    const takers = [take(), take()]
    let jobs = 0
    const runListJobsUntil = async (phase: string) => {
      for (;;) {
        const item = await lists.loadListItem(listId)
        if (item?.phase === phase) return item
        if (item?.phase === 'unreadable') throw new Error(`the list became unreadable: ${item.problem}`)
        const message = listJobs.shift()
        if (!message) {
          await new Promise((resolve) => setTimeout(resolve, 20))
          continue
        }
        jobs++
        await handler({ Records: [toSqsRecord(message, arn, config().region)] })
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: sendQueue, Entries: [{ Id: '0', ReceiptHandle: message.ReceiptHandle! }] }))
      }
    }

    // ——— Upload → check → YES → send ———
    const size = statSync(file).size
    const t0 = performance.now()
    const { list, upload } = await lists.createUploadedList({ organizerEmail: ORGANIZER, origin: 'vip', layout: 'vip', eventUid: uid, fileName: 'vip.csv', size })
    const listId = list.id
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: readFileSync(file) })
    if (!put.ok) throw new Error(`the upload failed: ${put.status} ${await put.text()}`)
    const started2 = await lists.startListCheck((await lists.loadListItem(listId))!)
    if (typeof started2 === 'string') throw new Error(`startListCheck: ${started2}`)
    const t1 = performance.now()
    const checked = await runListJobsUntil('checked')
    const t2 = performance.now()
    const checkJobs = jobs
    const confirmed = await lists.confirmListSend(checked)
    if (typeof confirmed === 'string') throw new Error(`confirmListSend: ${confirmed}`)
    const done = await runListJobsUntil('queued')
    const t3 = performance.now()
    while (delivers < done.queued && performance.now() - t3 < 120_000) await new Promise((resolve) => setTimeout(resolve, 50))
    stopped = true
    await Promise.all(takers)
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: sendQueue, AttributeNames: ['ApproximateNumberOfMessages'] }))

    const ok = done.queued === ROWS && checked.valid === ROWS && delivers === ROWS
    console.log(`\n${ROWS.toLocaleString('en')}-row VIP list for one event, local stack (own process; DynamoDB Local in memory, fauxqs S3+SQS):`)
    console.log(`  upload (list, presigned PUT of ${(size / 1024 / 1024).toFixed(1)} MB, startListCheck): ${seconds(t1 - t0)}`)
    console.log(`  check pass: ${seconds(t2 - t1)} (${perSecond(ROWS, t2 - t1)}; ${checkJobs} job${checkJobs === 1 ? '' : 's'})`)
    console.log(`  YES and send pass: ${seconds(t3 - t2)} (${perSecond(ROWS, t3 - t2)}; ${jobs - checkJobs} jobs of at most 40 s)`)
    console.log(`  upload → all queued: ${seconds(t3 - t0)} (${perSecond(ROWS, t3 - t0)})`)
    console.log(
      `  list figures: rows ${done.rows}, valid ${done.valid}, queued ${done.queued}, refused ${done.refused}; deliver jobs on the queue ${delivers} ` +
        `(the last taken ${seconds(Math.max(0, lastDeliverAt - t3))} after the list was queued; ${Attributes?.ApproximateNumberOfMessages ?? '?'} left)${ok ? '' : '  ← MISMATCH'}`,
    )
    console.log(`  baseline, same stack: ${ROWS.toLocaleString('en')} invitation items by plain BatchWriteItem ${seconds(batchWriteMs)} (${perSecond(ROWS, batchWriteMs)}); ` +
      `${ROWS.toLocaleString('en')} deliver jobs by sendBatchToQueue ${seconds(enqueueMs)} (${perSecond(ROWS, enqueueMs)})`)
    // No aim: the figure shows what the send pass costs beyond the writes and enqueues it must make.
    reportFigure({ figure: `${ROWS.toLocaleString('en')}-row VIP list: YES and send pass (baseline: BatchWriteItem + SQS enqueues of as many)`, value: (t3 - t2) / 1000, unit: 's', baseline: (batchWriteMs + enqueueMs) / 1000 })
    console.log(`  send pass against the two baselines together: ${((t3 - t2) / (batchWriteMs + enqueueMs)).toFixed(1)}×`)
  } finally {
    await stack.stop()
  }
}
