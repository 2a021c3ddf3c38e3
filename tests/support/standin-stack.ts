/**
 * A local stack of processes for fault tests: DynamoDB Local (its Java process, data on
 * disk) and each Node stand-in (standin-process.ts: s3rver, fauxqs, the SES stand-in, the
 * SMTP receiver) in a process of its own, each on a port fixed at start, so a test can stop
 * (SIGSTOP/SIGCONT) or kill (SIGKILL) one and start it again on the same port with the same
 * data while the others and the workers carry on. Built from the pieces `startLocalStack`
 * uses; the shared stack of the integration project is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readConfig, type AppConfig } from '../../server/config'
import { createClients, type AwsClients } from '../../server/aws/clients'
import { killOnExit } from '../../server/local/children'
import { freePort, LOCAL_HOST } from '../../server/local/ports'
import { assertJava, ensureBucket, ensureQueues, ensureTable, pickCis, startDynamoDb, waitForDynamoDb } from '../../server/local/stack'

/** The file (under the SES stand-in's data dir) with one line per message SES accepted. */
export const SES_SENT_FILE = 'ses-sent.jsonl'

export type StandinName = 'dynamodb' | 's3' | 'sqs' | 'ses' | 'smtp'

export interface Standin {
  name: StandinName
  port: number
  /** SIGSTOP: the process keeps its sockets but answers nothing, as a hung server. */
  pause(): void
  /** SIGCONT after pause(). */
  resume(): void
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>
  /** Starts it again on the same port with the same data (and `env` added); resolves once it answers. */
  restart(env?: Record<string, string>): Promise<void>
  /** Resolves when the current process has exited (a stand-in told to die does so itself). */
  exited(): Promise<void>
}

/** One message the SES stand-in accepted, as its process recorded it. */
export interface SesSent {
  messageId: string
  at: number
  from: string
  to: string[]
}

export interface StandinStack {
  /** The CIS_* variables that point config() (and worker processes) at this stack. */
  env: Record<string, string>
  config: AppConfig
  clients: AwsClients
  standins: Record<StandinName, Standin>
  /** Every message SES accepted since the stack started, across restarts of its process. */
  sesSent(): Promise<SesSent[]>
  stop(): Promise<void>
}

const STANDIN_SCRIPT = fileURLToPath(new URL('./standin-process.ts', import.meta.url))
const READY_TIMEOUT_MS = 30_000

/** Starts one Node stand-in and resolves once it printed `ready`. */
async function spawnStandin(kind: Exclude<StandinName, 'dynamodb'>, port: number, dataDir: string, env: Record<string, string>): Promise<ChildProcess> {
  await mkdir(dataDir, { recursive: true })
  const child = spawn(process.execPath, ['--import', 'tsx', STANDIN_SCRIPT, kind], {
    env: { ...process.env, ...env, CIS_STANDIN_PORT: String(port), CIS_STANDIN_DATA_DIR: dataDir, CIS_STANDIN_PARENT_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  killOnExit(child)
  let output = ''
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The ${kind} stand-in did not start within ${READY_TIMEOUT_MS / 1000} s:\n${output}`)), READY_TIMEOUT_MS)
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`The ${kind} stand-in exited while starting (${signal ?? code}):\n${output}`))
    })
  })
  child.stdout!.resume()
  return child
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** A stand-in whose process `start` (re)creates; signals go to the current one. */
function standin(name: StandinName, port: number, start: (env?: Record<string, string>) => Promise<ChildProcess>, first: ChildProcess): Standin {
  let child = first
  return {
    name,
    port,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async kill() {
      child.kill('SIGKILL')
      await exited(child)
    },
    async restart(env) {
      child = await start(env)
    },
    exited: () => exited(child),
  }
}

export async function startStandinStack(options: { dataDir: string; env?: Record<string, string> }): Promise<StandinStack> {
  assertJava()
  const dataDir = path.resolve(options.dataDir)
  await mkdir(dataDir, { recursive: true })
  const [dynamodbPort, s3Port, sqsPort, sesPort, smtpPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()])
  const url = (port: number) => `http://${LOCAL_HOST}:${port}`
  const named = readConfig({ ...pickCis(options.env ?? {}), CIS_STACK: 'local' })
  const env: Record<string, string> = {
    ...options.env,
    CIS_STACK: 'local',
    CIS_REGION: 'us-east-1',
    CIS_DYNAMODB_ENDPOINT: url(dynamodbPort),
    CIS_S3_ENDPOINT: url(s3Port),
    CIS_SQS_ENDPOINT: url(sqsPort),
    CIS_SES_ENDPOINT: url(sesPort),
    CIS_TABLE: named.tableName,
    CIS_MAIL_BUCKET: named.mailBucket,
    CIS_MAIL_DOMAIN: named.mailDomain,
    CIS_SEND_MAX_ATTEMPTS: String(named.sendMaxAttempts),
    CIS_LOCAL_SMTP_PORT: String(smtpPort),
  }
  const config = readConfig(env)
  const clients = createClients(config)

  const startDynamo = async () => {
    const dynamodb = await startDynamoDb(dataDir, dynamodbPort, () => {})
    await waitForDynamoDb(clients, dynamodb.hasExited, dynamodb.output)
    return dynamodb.child
  }
  const dynamodbStarted = startDynamo()
  const nodeStandin = (kind: Exclude<StandinName, 'dynamodb'>, port: number, extra: Record<string, string> = {}) => (more: Record<string, string> = {}) =>
    spawnStandin(kind, port, path.join(dataDir, kind), { ...env, ...extra, ...more })
  const startS3 = nodeStandin('s3', s3Port)
  const startSqs = nodeStandin('sqs', sqsPort)
  const startSes = nodeStandin('ses', sesPort)
  const stop = async () => {
    for (const client of [clients.dynamodb, clients.s3, clients.sqs, clients.ses]) client.destroy()
    await Promise.all(
      Object.values(standins).map(async (one) => {
        one.resume()
        await one.kill()
      }),
    )
  }
  const standins = {} as Record<StandinName, Standin>
  try {
    // The SMTP receiver starts alongside and waits for its queue.
    const startSmtp = nodeStandin('smtp', smtpPort)
    const smtpStarted = startSmtp()
    smtpStarted.catch(() => undefined)
    const [s3, sqs, ses] = await Promise.all([startS3(), startSqs(), startSes()])
    standins.s3 = standin('s3', s3Port, startS3, s3)
    standins.sqs = standin('sqs', sqsPort, startSqs, sqs)
    standins.ses = standin('ses', sesPort, startSes, ses)
    await Promise.all([ensureBucket(clients, config.mailBucket), ensureQueues(clients.sqs, config)])
    standins.smtp = standin('smtp', smtpPort, startSmtp, await smtpStarted)
    const dynamodb = await dynamodbStarted
    standins.dynamodb = standin('dynamodb', dynamodbPort, startDynamo, dynamodb)
    await ensureTable(clients, config.tableName)
  } catch (error) {
    await stop()
    throw error
  }

  return {
    env,
    config,
    clients,
    standins,
    async sesSent() {
      const text = await readFile(path.join(dataDir, 'ses', SES_SENT_FILE), 'utf8').catch(() => '')
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SesSent)
    },
    stop,
  }
}
