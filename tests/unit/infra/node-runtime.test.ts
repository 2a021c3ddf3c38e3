import { describe, it, expect } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { lambdaRuntime, nodeBuildTarget, nodeMajor } from '../../../infra/node-runtime'
import { nodeVersionProblem, requiredNode } from '../../../server/local/require-node.mjs'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> }

describe('one Node.js major everywhere', () => {
  it('is the LTS Lambda runs, named by .nvmrc, package.json engines and the build target alike', () => {
    expect(nodeMajor).toBe(24)
    expect(lambdaRuntime).toBe('nodejs24.x')
    expect(nodeBuildTarget).toBe('node24')
    expect(packageJson.engines.node).toMatch(new RegExp(`^\\^${nodeMajor}\\.\\d+\\.\\d+$`))
    expect(requiredNode()[0]).toBe(nodeMajor)
  })

  it('is the one the tests run on', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(nodeMajor)
    expect(nodeVersionProblem(process.versions.node)).toBeNull()
  })

  it('is built for by the web app and the queue bundles', () => {
    for (const config of ['nuxt.config.ts', 'server/queues/build/nitro.config.ts']) {
      expect(readFileSync(path.join(root, config), 'utf8'), config).toMatch(/esbuild: \{ options: \{ target: nodeBuildTarget \} \}/)
    }
  })
})

describe('an older Node.js is told what to do', () => {
  it.each([
    ['20.20.2', true],
    ['22.22.0', true],
    ['24.10.0', true],
    ['24.11.0', false],
    ['24.21.0', false],
    ['26.1.0', false],
  ])('Node.js %s refused: %s', (version, refused) => {
    const problem = nodeVersionProblem(version, [24, 11, 0])
    if (!refused) return expect(problem).toBeNull()
    expect(problem).toBe(
      `Calendar Invite Server needs Node.js 24.11 or newer, but this is Node.js ${version}: ` +
        'install it with `npm install --global --prefix /usr/local node@24` (or `nvm install`, which reads .nvmrc) and run this again.',
    )
  })

  // The machines this project is developed on ship Node.js 20 as /usr/bin/node; where there
  // is no older Node.js there is nothing to start the scripts with.
  const versionOf = (node: string) => {
    try {
      return execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
    } catch {
      return null
    }
  }
  const older = ['/usr/bin/node', '/usr/local/bin/node']
    .map((node) => ({ node, version: versionOf(node) }))
    .find(({ version }) => version !== null && nodeVersionProblem(version) !== null)

  it.skipIf(!older).each(['dev', 'test'])('npm run %s checks first, and on an older Node.js stops with that one sentence', (script) => {
    // What npm runs first, with the older Node.js first on PATH, as on a machine that has
    // only that one; `&&` keeps the rest from running when it fails.
    const [check, ...rest] = packageJson.scripts[script]!.split(' && ')
    expect(check).toBe('node server/local/require-node.mjs')
    expect(rest.length).toBeGreaterThan(0)
    const bin = mkdtempSync(path.join(os.tmpdir(), 'cis-old-node-'))
    symlinkSync(older!.node, path.join(bin, 'node'))
    const result = spawnSync('sh', ['-c', check!], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe(nodeVersionProblem(older!.version!))
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stdout).toBe('')
  })

  it.skipIf(!older)('npm install stops at its postinstall step on an older Node.js, with that one sentence', () => {
    expect(packageJson.scripts.postinstall).toBe('node server/local/prepare.mjs')
    const result = spawnSync(older!.node, ['server/local/prepare.mjs'], { cwd: root, encoding: 'utf8' })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe(nodeVersionProblem(older!.version!))
  })
})
