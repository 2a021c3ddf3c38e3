/**
 * Runs one benchmark's command in a process group of its own, so that a benchmark that never
 * ends can be stopped with everything it started (servers, stand-ins, workers): past its time
 * limit the group gets SIGTERM, and SIGKILL 10 s later. Ctrl-C or a SIGTERM of the runner
 * reaches the group too, as it would without a group of its own.
 */
import { spawn } from 'node:child_process'

export interface BenchProcessEnd {
  code: number | null
  signal: NodeJS.Signals | null
  /** The end of its stderr, where a failure's reason is. */
  stderr: string
  /** True when the time limit ended it. */
  timedOut: boolean
  /** Why it could not be started. */
  startError?: string
}

const KEPT_STDERR = 20_000
const KILL_AFTER_MS = 10_000

export function runBenchProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; limitMs: number; onStderr?: (chunk: Buffer) => void },
): Promise<BenchProcessEnd> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'inherit', 'pipe'], detached: true })
    let stderr = ''
    let timedOut = false
    let killer: NodeJS.Timeout | undefined
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // The group has already gone.
      }
    }
    // The runner stops with the benchmark, as one Ctrl-C stops everything.
    const forward = (signal: NodeJS.Signals) => () => {
      signalGroup(signal)
      process.exit(signal === 'SIGINT' ? 130 : 143)
    }
    const onInterrupt = forward('SIGINT')
    const onTerminate = forward('SIGTERM')
    process.on('SIGINT', onInterrupt)
    process.on('SIGTERM', onTerminate)
    const limit = setTimeout(() => {
      timedOut = true
      signalGroup('SIGTERM')
      killer = setTimeout(() => signalGroup('SIGKILL'), KILL_AFTER_MS)
    }, options.limitMs)
    child.stderr!.on('data', (chunk: Buffer) => {
      options.onStderr?.(chunk)
      stderr = (stderr + chunk.toString()).slice(-KEPT_STDERR)
    })
    const stderrClosed = new Promise<void>((resolve) => child.stderr!.once('close', resolve))
    const finish = (end: Pick<BenchProcessEnd, 'code' | 'signal' | 'startError'>) => {
      clearTimeout(limit)
      clearTimeout(killer)
      process.off('SIGINT', onInterrupt)
      process.off('SIGTERM', onTerminate)
      resolve({ ...end, stderr, timedOut })
    }
    child.once('error', (error) => finish({ code: null, signal: null, startError: error.message }))
    child.once('exit', (code, signal) => {
      // What the benchmark started and left behind goes with it; its stderr is read to the
      // end, and a process it left holding the pipe (killed just now) cannot keep it open.
      signalGroup('SIGKILL')
      const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())
      void Promise.race([stderrClosed, gaveUp]).then(() => finish({ code, signal }))
    })
  })
}
