/**
 * `npm run load [-- --seconds N]`: a minute (N seconds) of mixed load (mixed-load.ts) on the
 * built server (`nuxi build`, node-server, trusting one proxy so each simulated client is
 * its X-Forwarded-For entry) against the local stack in its own process, with the queue
 * workers in a third process as they run locally; then the account of every message.
 * Exit 1 when anything is lost or any error happened.
 *
 * Options: --seconds N (default 60), --bulk N (invitations in the bulk send, default 3000),
 * --drain N (give up waiting for the queues after N seconds without progress, default 60; 300 s in all);
 * LOAD_REUSE_BUILD=1 serves the existing .output instead of building.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startStackProcess } from '../bench/stack-client'
import { startBuiltServer, startWorkers } from './processes'

const root = fileURLToPath(new URL('../..', import.meta.url))

function options() {
  try {
    const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, bulk: { type: 'string', default: '3000' }, drain: { type: 'string', default: '60' } }, allowPositionals: false })
    const seconds = Number(values.seconds)
    const bulk = Number(values.bulk)
    if (!(Number.isFinite(seconds) && seconds >= 5 && seconds <= 3600)) throw new Error(`--seconds must be a number from 5 to 3600, not ${values.seconds}`)
    if (!(Number.isInteger(bulk) && bulk >= 0 && bulk <= 9000)) throw new Error(`--bulk must be a whole number from 0 to 9000, not ${values.bulk}`)
    const drain = Number(values.drain)
    if (!(Number.isFinite(drain) && drain >= 1 && drain <= 600)) throw new Error(`--drain must be a number of seconds from 1 to 600, not ${values.drain}`)
    return { seconds, bulk, drain }
  } catch (error) {
    console.error(`${(error as Error).message}. Usage: npm run load -- [--seconds N] [--bulk N] [--drain N]`)
    process.exit(2)
  }
}

async function main(): Promise<number> {
  const { seconds, bulk, drain } = options()
  if (process.env.LOAD_REUSE_BUILD && existsSync(path.join(root, '.output/server/index.mjs'))) console.log('serving the existing build (.output)')
  else {
    console.log('building the app (nuxi build, node-server)…')
    execFileSync(path.join(root, 'node_modules/.bin/nuxi'), ['build'], { cwd: root, stdio: 'ignore', env: { ...process.env, NITRO_PRESET: 'node-server' } })
  }
  const stack = await startStackProcess()
  const stops: (() => Promise<void>)[] = [() => stack.stop()]
  try {
    // This script's own process reads the stack (setup and the account) like the server does.
    Object.assign(process.env, stack.env, { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR' })
    const { resetConfig } = await import('../../server/config')
    resetConfig()
    const server = await startBuiltServer(path.join(root, '.output'), { ...process.env, CIS_TRUSTED_PROXIES: '1' })
    stops.unshift(() => server.stop())
    // SES's default 14 a second would take minutes for the bulk send; a production account sends hundreds.
    const workers = await startWorkers({ ...process.env, CIS_SEND_RATE: process.env.CIS_SEND_RATE ?? '200' })
    stops.unshift(() => workers.stop())
    const { runMixedLoad, reportLines } = await import('./mixed-load')
    const report = await runMixedLoad({ baseUrl: server.url, smtpPort: stack.endpoints.smtp, seconds, bulkRows: bulk, drainSeconds: drain, drainLimitSeconds: Math.max(300, drain), log: (line) => console.log(line) })
    console.log(`\nbuilt server + local stack + queue workers, ${seconds} s, on ${(await import('node:os')).cpus().length} cores`)
    for (const line of reportLines(report)) console.log(line)
    return report.lost === 0 && report.errors === 0 ? 0 : 1
  } finally {
    for (const stop of stops) await stop()
  }
}

process.exit(await main())
