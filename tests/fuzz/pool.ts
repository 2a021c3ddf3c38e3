/**
 * Runs inputs in child processes, each within a time and a memory bound, and says how each
 * ended: an outcome, a crash (an exception that is not a clear reason, or the process dying),
 * a hang (the process is killed) or over-memory (its V8 heap reached its limit, or its
 * resident memory, Buffers included, passed its bound). A process that hung, died or ran out
 * of memory is replaced.
 *
 * Processes, not worker threads: V8 ends a worker thread that reaches its heap limit only
 * when it can stop it in time, and when it cannot (one large allocation past the limit) it
 * aborts the whole process, the fuzzer with it. A child process that does so dies alone,
 * and its death says why.
 *
 * Time is the CPU time the process spends on the input (read from /proc on Linux), not the
 * clock: on a machine shared with other work an input waits for a core, and that wait is no
 * hang. A much longer bound on the clock still ends an input that waits forever (and is the
 * only one where /proc is not there).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { WorkerAnswer, WorkerRequest } from './worker'

export interface Bounds {
  /** CPU time of the process per input. */
  cpuMs: number
  /** Time on the clock per input, from when the process is sent it. */
  wallMs: number
  /** The process's V8 old-generation heap (--max-old-space-size). */
  heapMb: number
  /** The process's resident memory, the heap, Buffers and code together (VmRSS). */
  residentMb: number
}

export type Ending =
  | { kind: 'outcome'; outcome: string }
  | { kind: 'crash'; step: string; detail: string }
  | { kind: 'hang'; detail: string }
  | { kind: 'over-memory'; detail: string }

interface Death {
  code: number | null
  signal: NodeJS.Signals | null
  /** The end of what the process printed on stderr. */
  stderr: string
}

interface Slot {
  child: ChildProcess
  /** Resolves once the process has imported its targets, or has died first. */
  ready: Promise<void>
  /** Resolves when the process has died and its stderr is closed. */
  died: Promise<Death>
  death: Death | null
  /** Told of the death while an input runs. */
  onDeath: ((death: Death) => void) | null
  busy: boolean
}

// Linux counts CPU time in ticks of 1/100 s (USER_HZ).
const TICK_MS = 10
const CHECK_MS = 100
// What a dying process printed last is enough to tell an exhausted heap from other deaths.
const KEPT_STDERR = 8192
const HEAP_EXHAUSTED = /JavaScript heap out of memory|Reached heap limit|Ineffective mark-compacts near heap limit/

/** CPU time a process has used, in ms, or null when it cannot be read. */
function processCpuMs(pid: number): number | null {
  try {
    // Fields after the command's closing parenthesis: state is the first, utime the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return null
  }
}

/** A process's resident memory in MB, or null when it cannot be read. */
function residentMb(pid: number): number | null {
  try {
    const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return line ? Number(line[1]) / 1024 : null
  } catch {
    return null
  }
}

const WORKER_PATH = fileURLToPath(new URL('./worker.ts', import.meta.url))

export class FuzzPool<Input> {
  private readonly slots: Slot[] = []
  private nextId = 0

  constructor(
    /** The module processes import: it exports runInput (targets.ts, or a test's). */
    private readonly targets: URL,
    private readonly bounds: Bounds,
    size: number,
  ) {
    for (let n = 0; n < size; n++) this.slots.push(this.spawn())
  }

  private spawn(): Slot {
    const child = fork(WORKER_PATH, [this.targets.href], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${this.bounds.heapMb}`],
      serialization: 'advanced',
      // What libraries print is not the fuzzer's output; the end of stderr says how a process died.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-KEPT_STDERR)))
    // Sending to a process that has just died is seen by its death, not as an error of the fuzzer.
    child.on('error', () => {})
    let markReady = () => {}
    const ready = new Promise<void>((resolve) => (markReady = resolve))
    const onReady = (answer: WorkerAnswer) => {
      if (!('ready' in answer)) return
      child.off('message', onReady)
      markReady()
    }
    child.on('message', onReady)
    const slot: Slot = { child, ready, died: null!, death: null, onDeath: null, busy: false }
    slot.died = new Promise<Death>((resolve) =>
      child.once('close', (code, signal) => {
        slot.death = { code, signal, stderr }
        markReady()
        slot.onDeath?.(slot.death)
        resolve(slot.death)
      }),
    )
    return slot
  }

  /** Runs one input on a free process; at most `size` run at once (the caller waits for a free one). */
  async run(input: Input): Promise<Ending> {
    const index = this.slots.findIndex((s) => !s.busy)
    if (index < 0) throw new Error('FuzzPool.run called with every process busy.')
    const slot = this.slots[index]!
    slot.busy = true
    await slot.ready
    const ending = await this.ask(slot, input)
    // Only a process that answered can take the next input.
    if (ending.kind === 'outcome' || (ending.kind === 'crash' && ending.step !== 'process')) slot.busy = false
    else {
      slot.child.kill('SIGKILL')
      this.slots[index] = this.spawn()
    }
    return ending
  }

  private ask(slot: Slot, input: Input): Promise<Ending> {
    const id = this.nextId++
    const { child } = slot
    const pid = child.pid!
    return new Promise<Ending>((resolve) => {
      const finish = (ending: Ending) => {
        if (slot.onDeath !== onDeath) return
        slot.onDeath = null
        clearTimeout(timer)
        clearInterval(check)
        child.off('message', onMessage)
        resolve(ending)
      }
      const onDeath = ({ code, signal, stderr }: Death) => {
        if (HEAP_EXHAUSTED.test(stderr)) finish({ kind: 'over-memory', detail: `the process's heap passed ${this.bounds.heapMb} MB` })
        else {
          const words = stderr.trim().split('\n').slice(-5).join('\n')
          finish({ kind: 'crash', step: 'process', detail: `the process died (${signal ?? `code ${code}`}) without answering${words ? `: ${words}` : ''}` })
        }
      }
      const timer = setTimeout(() => finish({ kind: 'hang', detail: `no answer within ${this.bounds.wallMs} ms on the clock` }), this.bounds.wallMs)
      const cpuAtStart = processCpuMs(pid)
      // Memory first: filling memory costs CPU time too, and the memory is the cause.
      const check = setInterval(() => {
        const resident = residentMb(pid)
        if (resident !== null && resident > this.bounds.residentMb) return finish({ kind: 'over-memory', detail: `the process's resident memory passed ${this.bounds.residentMb} MB` })
        const used = cpuAtStart === null ? null : processCpuMs(pid)
        if (used !== null && used - cpuAtStart! > this.bounds.cpuMs) finish({ kind: 'hang', detail: `more than ${this.bounds.cpuMs} ms of CPU time` })
      }, CHECK_MS)
      const onMessage = (answer: WorkerAnswer) => {
        if ('ready' in answer || answer.id !== id) return
        finish('outcome' in answer ? { kind: 'outcome', outcome: answer.outcome } : { kind: 'crash', step: answer.step, detail: answer.crash })
      }
      slot.onDeath = onDeath
      child.on('message', onMessage)
      if (slot.death) onDeath(slot.death)
      else child.send({ id, input } satisfies WorkerRequest<Input>)
    })
  }

  async close(): Promise<void> {
    await Promise.all(
      this.slots.map((slot) => {
        slot.child.kill('SIGKILL')
        return slot.died
      }),
    )
  }
}
