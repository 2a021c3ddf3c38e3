/**
 * A fuzzing process: imports the targets module named by its first argument, says it is
 * ready, then runs each input it is sent and answers with the outcome, or with the error that
 * was not a clear reason. Hangs and memory exhaustion are seen by the pool, which kills it.
 */
export interface TargetsModule<Input> {
  runInput(input: Input, onStep: (step: string) => void): Promise<string>
}

export type WorkerRequest<Input> = { id: number; input: Input }
export type WorkerAnswer = { ready: true } | { id: number; outcome: string } | { id: number; step: string; crash: string }

const send = (answer: WorkerAnswer) => process.send!(answer)
const targets = (await import(process.argv[2]!)) as TargetsModule<unknown>
process.on('message', async ({ id, input }: WorkerRequest<unknown>) => {
  let step = 'start'
  try {
    const outcome = await targets.runInput(input, (now) => (step = now))
    send({ id, outcome })
  } catch (error) {
    const crash = error instanceof Error ? (error.stack ?? error.message) : String(error)
    send({ id, step, crash })
  }
})
// The pool ends this process; losing the pool (the fuzzer killed) ends it too.
process.on('disconnect', () => process.exit(0))
send({ ready: true })
