/**
 * A fuzzing worker: imports the targets module it is given, says it is ready, then runs each
 * input it is sent and answers with the outcome, or with the error that was not a clear
 * reason. Hangs and memory exhaustion are seen by the pool, which ends the worker.
 */
import { readlinkSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'

export interface TargetsModule<Input> {
  runInput(input: Input, onStep: (step: string) => void): Promise<string>
}

export type WorkerRequest<Input> = { id: number; input: Input }
export type WorkerAnswer = { ready: true; thread: string | null } | { id: number; outcome: string } | { id: number; step: string; crash: string }

const port = parentPort!
const targets = (await import(String(workerData.targets))) as TargetsModule<unknown>
port.on('message', async ({ id, input }: WorkerRequest<unknown>) => {
  let step = 'start'
  try {
    const outcome = await targets.runInput(input, (now) => (step = now))
    port.postMessage({ id, outcome } satisfies WorkerAnswer)
  } catch (error) {
    const crash = error instanceof Error ? (error.stack ?? error.message) : String(error)
    port.postMessage({ id, step, crash } satisfies WorkerAnswer)
  }
})
/** This thread's /proc entry (`<pid>/task/<tid>`), where the pool reads the CPU time it uses; null off Linux. */
function procThread(): string | null {
  try {
    return readlinkSync('/proc/thread-self')
  } catch {
    return null
  }
}
port.postMessage({ ready: true, thread: procThread() } satisfies WorkerAnswer)
