/** Child processes of the local stack and of the tools that drive it: stopped politely, never orphaned. */
import type { ChildProcess } from 'node:child_process'

const liveChildren = new Set<ChildProcess>()
let exitHookInstalled = false

/** Kills the child if this process exits while it still runs (the hook is installed with the first). */
export function killOnExit(child: ChildProcess): void {
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const one of liveChildren) one.kill('SIGKILL')
  })
}

/** Asks the child to stop (SIGTERM), kills it after `graceMs`, and resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
