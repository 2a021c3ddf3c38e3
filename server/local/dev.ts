/**
 * `npm run dev`: the whole system on one machine, no AWS account.
 *
 * Starts the local stack (fixed ports, data in `.data/`), the inbound queue poller that
 * feeds the real inbound handler as Lambda would, and `nuxi dev` with the stack's CIS_*
 * variables; prints one banner with every address once the app answers. Ctrl-C stops
 * everything. A problem the developer can fix (a port in use, no Java) is reported in one
 * sentence with exit code 1.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { config, resetConfig } from '../config'
import { resetClients } from '../aws/clients'
import { resetQueueUrls } from '../aws/queue'
import { handleInboundMail } from '../queues/inbound-mail'
import { handleSendQueue } from '../queues/send'
import { handleSesEvents } from '../queues/ses-events'
import { startLocalStack, LocalStackError } from './stack'
import { stopChild } from './children'
import { startQueuePoller } from './poller'
import { assertPortsFree, fixedPorts, LOCAL_HOST } from './ports'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dataDir = process.env.CIS_DATA_DIR ? path.resolve(process.env.CIS_DATA_DIR) : path.join(root, '.data')
const log = (line: string) => console.log(`[local] ${line}`)

function banner(lines: [string, string][]): string {
  const width = Math.max(...lines.map(([label]) => label.length))
  const body = lines.map(([label, value]) => (label ? `  ${label.padEnd(width)}  ${value}` : ''))
  const rule = '─'.repeat(Math.max(...body.map((line) => line.length)) + 2)
  return ['', rule, ...body, rule, ''].join('\n')
}

/**
 * Resolves when the app itself answers (any status of its own: the stack was checked
 * already, and the health route's verdict shows in its body), not nuxi's HTML "loading"
 * page (503) while Nuxt builds, or false after `timeoutMs`.
 */
async function appReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const answer = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) })
      if (answer.ok || answer.headers.get('content-type')?.includes('json')) return true
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return false
}

async function main() {
  const ports = fixedPorts()
  // The app's port is checked with the stack's, so nothing starts when one is taken.
  await assertPortsFree({ app: ports.app })
  const stack = await startLocalStack({ dataDir, ports: 'fixed', log })
  const appUrl = `http://${LOCAL_HOST}:${ports.app}`
  const env: Record<string, string> = {
    ...stack.env,
    CIS_SITE_URL: process.env.CIS_SITE_URL ?? `http://localhost:${ports.app}`,
    // The server's log lines as one readable line each in this terminal (JSON on Lambda).
    CIS_LOG_FORMAT: process.env.CIS_LOG_FORMAT ?? 'text',
  }

  // The poller runs here, outside Nuxt, like the Lambda does in AWS: point this
  // process's configuration at the stack.
  Object.assign(process.env, env)
  resetConfig()
  resetClients()
  resetQueueUrls()
  const pollers = [
    startQueuePoller({ queue: 'inbound', handler: handleInboundMail, concurrency: 5, log }),
    startQueuePoller({ queue: 'send', handler: handleSendQueue, concurrency: 5, log }),
    startQueuePoller({ queue: 'sesEvents', handler: handleSesEvents, log }),
  ]

  const nuxt = spawn(path.join(root, 'node_modules/.bin/nuxi'), ['dev', '--port', String(ports.app), '--host', LOCAL_HOST], {
    cwd: root,
    // NUXT_LOCK: nuxi writes .nuxt/nuxt.lock while it runs, so the postinstall step of an
    // `npm install` meanwhile leaves .nuxt alone (server/local/prepare.mjs).
    env: { ...process.env, ...env, NUXT_LOCK: '1' },
    stdio: 'inherit',
  })

  let stopping: Promise<void> | undefined
  const shutdown = (code: number) => {
    stopping ??= (async () => {
      log('stopping…')
      await stopChild(nuxt, 5000)
      await Promise.all(pollers.map((poller) => poller.stop()))
      await stack.stop()
      process.exit(code)
    })()
    return stopping
  }
  process.on('SIGINT', () => void shutdown(0))
  process.on('SIGTERM', () => void shutdown(0))
  // A supervisor that kills only `npm run dev` (not its process group) orphans this process:
  // notice the parent is gone and stop too, rather than keep the ports and Java running.
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) void shutdown(0)
  }, 1000).unref()
  nuxt.once('exit', (code, signal) => {
    if (stopping) return
    log(`nuxi dev exited (${signal ?? `code ${code}`}); stopping the stack`)
    void shutdown(code === 0 ? 0 : 1)
  })

  const ready = await appReady(appUrl, nuxt)
  if (stopping) return
  const cfg = config()
  console.log(
    banner([
      ['Calendar Invite Server', ready ? 'running locally' : 'started (the app did not answer yet; see its output above)'],
      ['', ''],
      ['app', `${env.CIS_SITE_URL}  (listening on ${appUrl})`],
      ['SES mail viewer', `${stack.endpoints.ses}/  (every mail the server sends)`],
      ['inbound SMTP', `${LOCAL_HOST}:${stack.endpoints.smtp}  (accepts ${Object.values(cfg.mailboxes).join(', ')})`],
      ['DynamoDB', `${stack.endpoints.dynamodb}  (table ${cfg.tableName})`],
      ['S3', `${stack.endpoints.s3}  (bucket ${cfg.mailBucket})`],
      ['SQS', `${stack.endpoints.sqs}  (queues ${cfg.queues.inbound}, ${cfg.queues.inboundDeadLetter}, ${cfg.queues.send}, ${cfg.queues.sesEvents})`],
      ['data folder', `${dataDir}  (DynamoDB and S3; delete it to start over)`],
      ['', ''],
      ['send an invite', 'npm run send-sample   (or: npm run send-sample -- path/to/invite.eml --to rsvp)'],
      ['mail a CSV list', 'npm run cis -- bulk-senders add alice@example.com, then npm run send-sample -- --bulk'],
      ['stop', 'Ctrl-C'],
    ]),
  )
}

main().catch((error: unknown) => {
  if (error instanceof LocalStackError) console.error(`\n${error.message}\n`)
  else console.error(error)
  process.exit(1)
})
