/**
 * The local stack in a process of its own, for the end-to-end benchmark: in AWS the
 * handler does not share a thread with S3, SQS, SES and the SMTP receiver, so the benchmark
 * does not make it either. Prints one JSON line ({ env, endpoints }) once ready; stops
 * when its parent closes stdin or sends SIGTERM. Started by startStackProcess
 * (stack-client.ts); CIS_BENCH_STACK_ENV (JSON) adds settings, e.g. the SES send-rate limit.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startLocalStack } from '../../server/local/stack'

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cis-bench-'))
const env = JSON.parse(process.env.CIS_BENCH_STACK_ENV ?? '{}') as Record<string, string>
const stack = await startLocalStack({ dataDir, ports: 'free', env, dynamodbInMemory: true })
process.stdout.write(JSON.stringify({ env: stack.env, endpoints: stack.endpoints }) + '\n')

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  await stack.stop()
  await rm(dataDir, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
