/**
 * `node --import tsx tests/bench/send-rate.run.ts`: the shared send rate on the local stack
 * (in a process of its own, as for the ingest benchmark): workers reserve slots in DynamoDB
 * Local and send a small raw message through `sendRawMail` to the SES stand-in at each slot.
 *
 * The SES stand-in enforces the same maximum rate as the real account would
 * (CIS_LOCAL_SES_MAX_SEND_RATE: a send above `rate` in the last second is refused with 429
 * "Maximum sending rate exceeded."), and the SES client makes one call per send (no SDK
 * retries), so "failed" counts the sends SES itself found over the rate. The baseline, the
 * same loops without a limiter, shows how fast the loops call SES and how much it refuses.
 *
 * Options: BENCH_SEND_RATE (default 20 messages/s), BENCH_SEND_SECONDS (10),
 * BENCH_SEND_WORKERS (4), BENCH_SEND_BATCH (10).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchSendRate } from './send-rate'

const rate = Number(process.env.BENCH_SEND_RATE ?? 20)
const seconds = Number(process.env.BENCH_SEND_SECONDS ?? 10)
const workers = Number(process.env.BENCH_SEND_WORKERS ?? 4)
const batch = Number(process.env.BENCH_SEND_BATCH ?? 10)

/**
 * With `--stack`: this file is the stack process (as tests/bench/stack-process.ts, plus the
 * SES send-rate limit). Prints one JSON line ({ env }) once ready; stops when stdin closes.
 */
async function runStack() {
  const { startLocalStack } = await import('../../server/local/stack')
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cis-bench-send-'))
  const stack = await startLocalStack({ dataDir, ports: 'free', env: { CIS_LOCAL_SES_MAX_SEND_RATE: String(rate) }, dynamodbInMemory: true })
  process.stdout.write(JSON.stringify({ env: stack.env }) + '\n')
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await stack.stop()
    await rm(dataDir, { recursive: true, force: true })
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.stdin.on('end', stop)
  process.stdin.resume()
}

/** Starts this file with `--stack` and waits for its one line of JSON. */
async function startStackProcess(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--stack'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  })
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      if (buffered.includes('\n')) resolve(buffered.slice(0, buffered.indexOf('\n')))
    })
    child.once('exit', (code) => reject(new Error(`the local stack process exited (${code}) before it was ready`)))
  })
  const { env } = JSON.parse(line) as { env: Record<string, string> }
  return {
    env,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.stdin!.end()
      }),
  }
}

async function runBenchmark() {
  const stack = await startStackProcess()
  try {
    Object.assign(process.env, stack.env)
    // Imported once the environment points at the stack (whose process created the table).
    const { resetConfig, config } = await import('../../server/config')
    const { clients, resetClients } = await import('../../server/aws/clients')
    const { SESv2Client } = await import('@aws-sdk/client-sesv2')
    const { sendRawMail } = await import('../../server/aws/mailer')
    resetConfig()
    resetClients()
    const cfg = config()
    // One SES call per send: the SDK's own retries would be calls the limiter never saw.
    clients().ses = new SESv2Client({ region: cfg.region, endpoint: cfg.endpoints.ses, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 })

    const from = cfg.fromAddress
    const send = async (i: number) => {
      const to = `guest${i}@bench.example`
      const raw = [`From: ${from}`, `To: <${to}>`, `Subject: Send-rate benchmark ${i}`, `Message-ID: <send-${i}@bench.example>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', `Message ${i}.`, ''].join('\r\n')
      await sendRawMail({ from, to: [to], raw })
    }

    // Warm up connections and JIT, then let the stand-in's rate window empty.
    for (let i = 0; i < Math.min(rate, 10); i++) await send(-1 - i)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    console.log(`local stack (own process), DynamoDB Local in memory; SES stand-in refusing over ${rate}/s; SDK retries off`)
    await benchSendRate({ rate, seconds, workers, batch, send })
  } finally {
    await stack.stop()
  }
}

if (process.argv.includes('--stack')) await runStack()
else await runBenchmark()
