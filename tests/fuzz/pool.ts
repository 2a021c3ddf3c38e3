/**
 * Runs inputs in worker threads, each within a time and a memory bound, and says how each
 * ended: an outcome, a crash (an exception that is not a clear reason, or the worker dying),
 * a hang (the worker is terminated) or over-memory (the worker's V8 heap reached its limit).
 * A worker that hung, died or ran out of memory is replaced.
 *
 * Time is the CPU time the worker's thread spends on the input (read from /proc on Linux),
 * not the clock: on a machine shared with other work an input waits for a core, and that
 * wait is no hang. A much longer bound on the clock still ends an input that waits forever
 * (and is the only one where /proc is not there).
 */
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import type { WorkerAnswer, WorkerRequest } from './worker'

export interface Bounds {
  /** CPU time of the worker's thread per input. */
  cpuMs: number
  /** Time on the clock per input, from when the worker receives it. */
  wallMs: number
  /** The worker's V8 old-generation heap (resourceLimits.maxOldGenerationSizeMb). */
  heapMb: number
}

export type Ending =
  | { kind: 'outcome'; outcome: string }
  | { kind: 'crash'; step: string; detail: string }
  | { kind: 'hang'; detail: string }
  | { kind: 'over-memory'; detail: string }

interface Slot {
  worker: Worker
  /** The worker's thread under /proc, once ready; null where it cannot be read. */
  ready: Promise<string | null>
  busy: boolean
}

// Linux counts a thread's CPU time in ticks of 1/100 s (USER_HZ).
const TICK_MS = 10
const CPU_CHECK_MS = 100

/** CPU time a thread has used, in ms, or null when it cannot be read. */
function threadCpuMs(thread: string): number | null {
  try {
    // Fields after the command's closing parenthesis: state is the first, utime the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${thread}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return null
  }
}

const WORKER_URL = new URL('./worker.ts', import.meta.url)

export class FuzzPool<Input> {
  private readonly slots: Slot[] = []
  private nextId = 0

  constructor(
    /** The module workers import: it exports runInput (targets.ts, or a test's). */
    private readonly targets: URL,
    private readonly bounds: Bounds,
    size: number,
  ) {
    for (let n = 0; n < size; n++) this.slots.push(this.spawn())
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, {
      execArgv: ['--import', 'tsx'],
      workerData: { targets: this.targets.href },
      resourceLimits: { maxOldGenerationSizeMb: this.bounds.heapMb },
      stdout: true,
      stderr: true,
    })
    worker.unref()
    // What libraries print inside a worker is not the fuzzer's output.
    worker.stdout.resume()
    worker.stderr.resume()
    const ready = new Promise<string | null>((resolve, reject) => {
      const onMessage = (answer: WorkerAnswer) => {
        if ('ready' in answer) {
          worker.off('message', onMessage)
          worker.off('error', reject)
          resolve(answer.thread)
        }
      }
      worker.on('message', onMessage)
      worker.once('error', reject)
    })
    return { worker, ready, busy: false }
  }

  /** Runs one input on a free worker; at most `size` run at once (the caller waits for a free one). */
  async run(input: Input, transfer: ArrayBuffer[] = []): Promise<Ending> {
    const slot = this.slots.find((s) => !s.busy)
    if (!slot) throw new Error('FuzzPool.run called with every worker busy.')
    slot.busy = true
    try {
      const thread = await slot.ready
      const ending = await this.ask(slot, thread, input, transfer)
      if (ending.kind !== 'outcome' && ending.kind !== 'crash') this.replace(slot)
      return ending
    } finally {
      slot.busy = false
    }
  }

  private replace(slot: Slot) {
    void slot.worker.terminate()
    Object.assign(slot, this.spawn(), { busy: true })
  }

  private ask(slot: Slot, thread: string | null, input: Input, transfer: ArrayBuffer[]): Promise<Ending> {
    const id = this.nextId++
    const { worker } = slot
    return new Promise<Ending>((resolve) => {
      const finish = (ending: Ending) => {
        clearTimeout(timer)
        clearInterval(cpuCheck)
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        resolve(ending)
      }
      const timer = setTimeout(() => finish({ kind: 'hang', detail: `no answer within ${this.bounds.wallMs} ms on the clock` }), this.bounds.wallMs)
      const cpuAtStart = thread ? threadCpuMs(thread) : null
      const cpuCheck = setInterval(() => {
        const used = cpuAtStart === null ? null : threadCpuMs(thread!)
        if (used !== null && used - cpuAtStart! > this.bounds.cpuMs) finish({ kind: 'hang', detail: `more than ${this.bounds.cpuMs} ms of CPU time` })
      }, CPU_CHECK_MS)
      const onMessage = (answer: WorkerAnswer) => {
        if ('ready' in answer || answer.id !== id) return
        finish('outcome' in answer ? { kind: 'outcome', outcome: answer.outcome } : { kind: 'crash', step: answer.step, detail: answer.crash })
      }
      const onError = (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') finish({ kind: 'over-memory', detail: `the worker's heap passed ${this.bounds.heapMb} MB` })
        else finish({ kind: 'crash', step: 'worker', detail: error.stack ?? String(error) })
      }
      const onExit = (code: number) => finish({ kind: 'crash', step: 'worker', detail: `the worker exited (code ${code}) without answering` })
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.on('exit', onExit)
      worker.postMessage({ id, input } satisfies WorkerRequest<Input>, transfer)
    }).then((ending) => {
      // A worker that crashed by dying cannot take the next input.
      if (ending.kind === 'crash' && ending.step === 'worker') this.replace(slot)
      return ending
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()))
  }
}
