/**
 * `npm run build:aws`: everything a deployment uploads, in dist/aws/: the web function
 * (`NITRO_PRESET=aws-lambda nuxi build`), each queue function (`npm run build:queues`), each
 * zipped as Lambda takes it, and `assets/` (the static files the web function does not serve),
 * then each zip's size and the assets' count and size.
 */
import { spawnSync } from 'node:child_process'
import { mkdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { copyAssets } from './assets'
import { assetsDir, distDir, formatBytes, lambdaFunctions, repoRoot, webOutputDir, zipPath, type LambdaFunction } from './functions'

/** Runs a command in the repository, its output shown; throws with a sentence if it fails. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(command, args, { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, stdio: 'inherit' })
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}).`)
}

// Info-ZIP's `zip` (Debian's package, preinstalled here) rather than a library: the only zip
// writers in node_modules (archiver, zip-stream) are Nitro's own dependencies, not ours to
// import, and a one-shot build needs no streaming API.
async function zipFolder(fn: LambdaFunction) {
  await stat(path.join(fn.serverDir, 'index.mjs')).catch(() => {
    throw new Error(`${fn.serverDir}/index.mjs is missing: the ${fn.name} build did not produce a handler.`)
  })
  // -X leaves out file attributes Lambda ignores; `.` puts index.mjs at the zip's root.
  run('zip', ['-r', '-q', '-X', zipPath(fn), '.'], { cwd: fn.serverDir })
  return (await stat(zipPath(fn))).size
}

if (spawnSync('zip', ['-v'], { stdio: 'ignore' }).status !== 0) {
  throw new Error('build:aws zips with the `zip` command, which is not installed (apt-get install zip).')
}

console.log('building the web function (NITRO_PRESET=aws-lambda nuxi build)…')
run(path.join(repoRoot, 'node_modules/.bin/nuxi'), ['build'], { env: { ...process.env, NITRO_PRESET: 'aws-lambda' } })
console.log('building the queue functions (npm run build:queues)…')
run('npm', ['run', 'build:queues'])

await rm(distDir, { recursive: true, force: true })
await mkdir(distDir, { recursive: true })
console.log(`\n${path.relative(repoRoot, distDir)}/`)
for (const fn of lambdaFunctions) {
  const bytes = await zipFolder(fn)
  console.log(`  ${`${fn.name}.zip`.padEnd(18)} ${formatBytes(bytes).padStart(10)}   (${fn.codeKey})`)
}
const assets = await copyAssets(path.join(webOutputDir, 'public'), assetsDir)
const assetBytes = assets.reduce((sum, file) => sum + file.bytes, 0)
console.log(`  ${'assets/'.padEnd(18)} ${formatBytes(assetBytes).padStart(10)}   (${assets.length} files, served at the site's root: /_nuxt/* and public/)`)
