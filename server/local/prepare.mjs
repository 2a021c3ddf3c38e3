// `npm install`'s postinstall step: checks the Node.js version, then `nuxi prepare` (the
// types in .nuxt that the type check and editors read), except while `npm run dev` runs in
// this checkout. `nuxi prepare` empties .nuxt, and a running `nuxi dev` restarts when
// .nuxt/dist goes, answering 503 meanwhile; so an `npm install` in another terminal would
// break the dev server for a while. server/local/dev.ts runs nuxi with NUXT_LOCK=1, so
// .nuxt/nuxt.lock names the dev process while it runs (the check @nuxt/cli 4 makes itself).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { exitUnlessSupportedNode } from './require-node.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** The PID of a `nuxi dev` that holds this checkout's .nuxt, or null. */
function runningDevServer() {
  let lock
  try {
    lock = JSON.parse(readFileSync(path.join(root, '.nuxt/nuxt.lock'), 'utf8'))
  } catch {
    return null
  }
  if (lock.command !== 'dev' || !Number.isInteger(lock.pid)) return null
  try {
    process.kill(lock.pid, 0)
    return lock.pid
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error.code === 'EPERM' ? lock.pid : null
  }
}

exitUnlessSupportedNode()
const dev = runningDevServer()
if (dev) {
  console.log(`nuxi prepare skipped: a dev server (PID ${dev}) is using .nuxt, and keeps its types current itself.`)
} else {
  const prepared = spawnSync(path.join(root, 'node_modules/.bin/nuxi'), ['prepare'], { cwd: root, stdio: 'inherit' })
  process.exit(prepared.status ?? 1)
}
