/**
 * One Node stand-in of the local stack in a process of its own, so a fault test's signal
 * (SIGSTOP, SIGKILL) hits only it: `node --import tsx standin-process.ts <s3|sqs|ses|smtp>`
 * with CIS_STANDIN_PORT and CIS_STANDIN_DATA_DIR, the smtp receiver also with the CIS_*
 * variables of the stack (it waits for the inbound queue to exist, so it can start alongside
 * the SQS stand-in). Writes `ready <port>` once it listens.
 *
 * Data: s3rver keeps its objects under the data dir and fauxqs its queues and messages in
 * SQLite there, so a restart on the same port with the same dir loses nothing, as AWS never
 * does. The SES stand-in keeps what it sent in memory; this process also appends each kept
 * message to `<data dir>/ses-sent.jsonl` before SES answers, so deliveries can be counted
 * across its death. With CIS_STANDIN_SES_DIE_AFTER=N it kills itself right after keeping its
 * Nth message (to an address ending in CIS_STANDIN_SES_DIE_TO, when given): SES accepted that
 * one but its answer never arrives, as when a connection drops.
 */
import { appendFileSync } from 'node:fs'
import path from 'node:path'
import { startS3Standin, startSesStandin, startSqsStandin } from '../../server/local/stack'
import { startSmtpReceiver } from '../../server/local/smtp-receiver'
import { readConfig } from '../../server/config'
import { createClients } from '../../server/aws/clients'
import { queueUrl } from '../../server/aws/queue'
import { SES_SENT_FILE } from './standin-stack'

async function start(kind: string, port: number, dataDir: string): Promise<number> {
  switch (kind) {
    case 's3':
      return (await startS3Standin({ dataDir, port, env: process.env })).port
    case 'sqs':
      return (await startSqsStandin({ port, dataDir: path.join(dataDir, 'sqs') })).port
    case 'ses': {
      const file = path.join(dataDir, SES_SENT_FILE)
      const dieAfter = Number(process.env.CIS_STANDIN_SES_DIE_AFTER) || Infinity
      const dieTo = process.env.CIS_STANDIN_SES_DIE_TO ?? ''
      let counted = 0
      const onKept = ({ raw: _raw, ...message }: { raw: Buffer; messageId: string; at: number; from: string; to: string[] }) => {
        appendFileSync(file, `${JSON.stringify(message)}\n`)
        if (message.to.some((to) => to.endsWith(dieTo)) && ++counted >= dieAfter) process.kill(process.pid, 'SIGKILL')
      }
      return (await startSesStandin({ port, env: process.env, onKept })).port
    }
    case 'smtp': {
      const config = readConfig(process.env)
      const inboundQueueUrl = await waitForInboundQueue()
      const receiver = await startSmtpReceiver({ port, config, clients: createClients(config), inboundQueueUrl })
      return receiver.port
    }
    default:
      throw new Error(`standin-process: no stand-in called "${kind}" (s3, sqs, ses or smtp).`)
  }
}

/** The inbound queue's URL once the stack has created it (within 30 s). */
async function waitForInboundQueue(): Promise<string> {
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      return await queueUrl('inbound')
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

// No orphans: a stand-in whose test process died (killed by the runner) goes too.
const parent = Number(process.env.CIS_STANDIN_PARENT_PID)
if (parent) setInterval(() => process.ppid !== parent && process.exit(0), 1000).unref()
{
  const port = await start(process.argv[2] ?? '', Number(process.env.CIS_STANDIN_PORT), process.env.CIS_STANDIN_DATA_DIR!)
  process.stdout.write(`ready ${port}\n`)
}
export {}
