import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { freePort, portVariable, type LocalService } from '../../server/local/ports'
import { repoRoot } from '../corpus'

const BANNER = 'Calendar Invite Server  running locally'

// `npm run dev` as a developer starts it (server/local/dev.ts: the stack, the pollers and
// `nuxi dev`), on ports and a data folder of its own: the banner promises a working app, so
// every request from the moment it shows must be answered by the app, not by a restart.
describe('npm run dev', () => {
  let dev: ChildProcess
  let output = ''
  let appUrl = ''
  let dataDir = ''

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'cis-dev-'))
    const services: LocalService[] = ['app', 'smtp', 'dynamodb', 's3', 'sqs', 'ses']
    const env: Record<string, string> = { CIS_DATA_DIR: dataDir }
    for (const service of services) env[portVariable(service)] = String(await freePort())
    appUrl = `http://127.0.0.1:${env.CIS_PORT_APP}`
    dev = spawn(process.execPath, ['--import', 'tsx', 'server/local/dev.ts'], {
      cwd: repoRoot,
      env: { ...process.env, ...env, CIS_SITE_URL: appUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    dev.stdout!.on('data', (chunk) => (output += chunk))
    dev.stderr!.on('data', (chunk) => (output += chunk))
    while (!output.includes(BANNER)) {
      if (dev.exitCode !== null) throw new Error(`npm run dev exited before its banner:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }, 150_000)

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev.once('exit', resolve))
      dev.kill('SIGTERM')
      await exited
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  }, 30_000)

  /** Every answer the app gives to two pages, four times a second, for `seconds`. */
  async function answersFor(seconds: number): Promise<string[]> {
    const statuses: string[] = []
    const until = Date.now() + seconds * 1000
    while (Date.now() < until) {
      for (const page of ['/sign-in', '/api/openapi.json']) {
        const answer = await fetch(appUrl + page, { signal: AbortSignal.timeout(10_000) }).catch((error: Error) => error)
        statuses.push(answer instanceof Error ? `${page} ${answer.message}` : `${page} ${answer.status}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    return statuses
  }

  it('answers every request from the banner on, without restarting Nuxt', async () => {
    const statuses = await answersFor(15)
    expect(statuses.filter((status) => !/ 200$/.test(status))).toEqual([])
    expect(statuses.length).toBeGreaterThan(20)
    expect(output).not.toMatch(/Restarting Nuxt/)
  }, 60_000)

  it('keeps answering while `npm install` runs its postinstall step in the same checkout', async () => {
    // `npm install` (a new package, say, in another terminal) ends with the postinstall
    // step, which prepares .nuxt: it must leave the running dev server's build alone.
    const install = spawn('npm', ['run', 'postinstall'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let installOutput = ''
    install.stdout!.on('data', (chunk) => (installOutput += chunk))
    install.stderr!.on('data', (chunk) => (installOutput += chunk))
    const installed = new Promise<number | null>((resolve) => install.once('exit', resolve))
    const statuses = await answersFor(10)
    expect(await installed, installOutput).toBe(0)
    expect(installOutput).toMatch(/nuxi prepare skipped: a dev server \(PID \d+\) is using \.nuxt/)
    expect(statuses.filter((status) => !/ 200$/.test(status))).toEqual([])
    expect(output).not.toMatch(/Restarting Nuxt/)
  }, 60_000)
})
