/** The two processes `npm run load` drives: the built web server and the queue workers (workers.ts). */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { stopChild } from '../../server/local/children'
import { freePort, LOCAL_HOST } from '../../server/local/ports'

export interface Child {
  process: ChildProcess
  stop(): Promise<void>
}

const stopper = (child: ChildProcess) => () => stopChild(child, 10_000)

/** Serves a node-server build (`<outputDir>/server/index.mjs`) on a free port with `env`; resolves once /api/health answers. */
export async function startBuiltServer(outputDir: string, env: Record<string, string | undefined>): Promise<Child & { url: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, [path.join(outputDir, 'server/index.mjs')], {
    env: { ...env, PORT: String(port), HOST: LOCAL_HOST, NITRO_PORT: String(port), NITRO_HOST: LOCAL_HOST },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://${LOCAL_HOST}:${port}`
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`the built server exited (${child.exitCode}) before it answered`)
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return { process: child, url, stop: stopper(child) }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  child.kill('SIGKILL')
  throw new Error(`the built server did not answer ${url}/api/health within 30 s`)
}

/** Starts workers.ts with `env`; resolves once it polls. */
export async function startWorkers(env: Record<string, string | undefined>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./workers.ts', import.meta.url))], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`the queue workers exited (${code}) before they were ready`)))
  })
  child.stdout!.resume()
  return { process: child, stop: stopper(child) }
}
