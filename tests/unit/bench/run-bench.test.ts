// The benchmark runner's process handling: a benchmark that never ends is stopped with
// everything it started, and one that leaves a process behind does not keep the runner waiting.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runBenchProcess } from '../../bench/run-bench'

const folder = mkdtempSync(path.join(tmpdir(), 'cis-run-bench-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A node script that starts a child sleeping for a minute (its pid written to `pidFile`), then does `then`. */
const parentOfSleeper = (pidFile: string, then: string) =>
  `const { spawn } = require('node:child_process'); const fs = require('node:fs');
   const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: ['ignore', 'ignore', 'inherit'] });
   fs.writeFileSync(${JSON.stringify(pidFile)}, String(sleeper.pid)); ${then}`

const waitFor = async (test: () => boolean) => {
  for (let n = 0; n < 50 && !test(); n++) await new Promise((resolve) => setTimeout(resolve, 100))
  return test()
}

describe('runBenchProcess', () => {
  const options = { cwd: folder, env: process.env }

  it('says how a benchmark ended and keeps the end of its stderr', async () => {
    const end = await runBenchProcess(process.execPath, ['-e', 'console.error("Error: no table"); process.exit(3)'], { ...options, limitMs: 30_000 })
    expect(end).toMatchObject({ code: 3, signal: null, timedOut: false })
    expect(end.stderr).toContain('Error: no table')
  })

  it('stops a benchmark past its limit, and what it started with it', async () => {
    const pidFile = path.join(folder, 'forever.pid')
    const started = performance.now()
    const end = await runBenchProcess(process.execPath, ['-e', parentOfSleeper(pidFile, 'setInterval(() => {}, 1000)')], { ...options, limitMs: 1500 })
    expect(end.timedOut).toBe(true)
    expect(end.signal).toBe('SIGTERM')
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(await waitFor(() => !alive(Number(readFileSync(pidFile, 'utf8'))))).toBe(true)
  }, 20_000)

  it('does not wait for a process a finished benchmark left holding its stderr, and ends it', async () => {
    const pidFile = path.join(folder, 'left.pid')
    const started = performance.now()
    const end = await runBenchProcess(process.execPath, ['-e', parentOfSleeper(pidFile, 'process.exit(0)')], { ...options, limitMs: 30_000 })
    expect(end).toMatchObject({ code: 0, timedOut: false })
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(await waitFor(() => !alive(Number(readFileSync(pidFile, 'utf8'))))).toBe(true)
  }, 20_000)

  it('says why a benchmark could not start', async () => {
    const end = await runBenchProcess(path.join(folder, 'no-such-command'), [], { ...options, limitMs: 30_000 })
    expect(end.startError).toContain('ENOENT')
  })
})
