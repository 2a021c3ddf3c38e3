/**
 * `node --import tsx tests/bench/send-rate.run.ts`: the shared send rate on the local stack
 * (its own process, as for the ingest benchmark): workers reserve slots in DynamoDB Local and
 * send a small raw message to the SES stand-in (aws-ses-v2-local) at each slot.
 *
 * Options: BENCH_SEND_RATE (default 20 messages/s), BENCH_SEND_SECONDS (10),
 * BENCH_SEND_WORKERS (4), BENCH_SEND_BATCH (10).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { benchSendRate } from './send-rate'

const rate = Number(process.env.BENCH_SEND_RATE ?? 20)
const seconds = Number(process.env.BENCH_SEND_SECONDS ?? 10)
const workers = Number(process.env.BENCH_SEND_WORKERS ?? 4)
const batch = Number(process.env.BENCH_SEND_BATCH ?? 10)

/** Starts tests/bench/stack-process.ts and waits for its one line of JSON. */
async function startStackProcess(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./stack-process.ts', import.meta.url))], {
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

const stack = await startStackProcess()
try {
  Object.assign(process.env, stack.env)
  // Imported after the environment points at the stack (the stack process created the table).
  const { resetConfig, config } = await import('../../server/config')
  const { resetClients } = await import('../../server/aws/clients')
  const { sendRawMail } = await import('../../server/aws/mailer')
  resetConfig()
  resetClients()

  const from = config().fromAddress
  const raw = (i: number) =>
    [`From: ${from}`, `To: <guest${i}@bench.example>`, `Subject: Send-rate benchmark ${i}`, `Message-ID: <send-${i}@bench.example>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', `Message ${i}.`, ''].join('\r\n')
  const send = async (i: number) => {
    await sendRawMail({ from, to: [`guest${i}@bench.example`], raw: raw(i) })
  }

  // Warm up connections and JIT (and the SES stand-in) before measuring.
  await Promise.all(Array.from({ length: 20 }, (_, i) => send(-1 - i)))
  console.log(`local stack (own process), DynamoDB Local in memory, table ${config().tableName}; SES: aws-ses-v2-local`)
  await benchSendRate({ rate, seconds, workers, batch, send })
} finally {
  await stack.stop()
}
