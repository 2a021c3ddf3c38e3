// The Node.js check that `npm install` (its postinstall step), `npm run dev`, `npm test`
// and `cis` make before anything else: on an older Node they stop with one sentence naming
// the version and the command that installs the right one, instead of failing later in a
// dependency. Plain JavaScript with nothing but Node's own modules, so that it runs on the
// old Node.js it is there to catch.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = new URL('../../', import.meta.url)

/** The lowest version package.json's `engines.node` accepts ("^24.11.0" → [24, 11, 0]). */
export function requiredNode() {
  const { engines } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(engines.node)
  if (!match) throw new Error(`package.json engines.node (${engines.node}) names no version.`)
  return match.slice(1).map(Number)
}

/**
 * Null when `version` ("20.20.2") is the required version or newer, else the sentence
 * to show: the version found, the one needed and how to install it.
 */
export function nodeVersionProblem(version, required = requiredNode()) {
  const found = version.split('.').map(Number)
  for (let i = 0; i < required.length; i++) {
    if ((found[i] ?? 0) > required[i]) return null
    if ((found[i] ?? 0) < required[i]) {
      const major = readFileSync(new URL('.nvmrc', root), 'utf8').trim()
      return (
        `Calendar Invite Server needs Node.js ${required[0]}.${required[1]} or newer, but this is Node.js ${version}: ` +
        `install it with \`npm install --global --prefix /usr/local node@${major}\` (or \`nvm install\`, which reads .nvmrc) and run this again.`
      )
    }
  }
  return null
}

/** Stops the process with the sentence (exit code 1) when this Node.js is too old. */
export function exitUnlessSupportedNode() {
  const problem = nodeVersionProblem(process.versions.node)
  if (!problem) return
  console.error(problem)
  process.exit(1)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) exitUnlessSupportedNode()
