/** Starts the local stack in a process of its own (stack-process.ts) for a benchmark. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface StackProcess {
  env: Record<string, string>
  endpoints: { smtp: number; ses: string }
  stop(): Promise<void>
}

/** Resolves once the stack answers, with its environment; `extraEnv` goes to the stack's configuration. */
export async function startStackProcess(extraEnv: Record<string, string> = {}): Promise<StackProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./stack-process.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, CIS_BENCH_STACK_ENV: JSON.stringify(extraEnv) },
  })
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      if (buffered.includes('\n')) resolve(buffered.slice(0, buffered.indexOf('\n')))
    })
    child.once('exit', (code) => reject(new Error(`the local stack process exited (${code}) before it was ready`)))
  })
  const ready = JSON.parse(line) as Omit<StackProcess, 'stop'>
  return {
    ...ready,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.stdin!.end()
      }),
  }
}
