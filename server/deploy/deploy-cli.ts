/**
 * `npm run deploy` (see server/deploy/deploy-request.ts for its flags): builds with
 * `npm run build:aws` (unless --no-build), then deploys or, with --delete, removes the stack.
 * Errors are one sentence on stderr and exit 1.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline/promises'
import { readTemplate } from '../../infra/cfn-yaml'
import { listAssets } from './assets'
import { deployClients } from './deploy-clients'
import { DeployError, explainAwsError } from './deploy-error'
import { DeployHelp, readDeployRequest } from './deploy-request'
import { deployStack, removeStack, type DeployArtifacts, type DeployUi } from './deploy'
import { assetsDir, lambdaFunctions, repoRoot, zipPath } from './functions'

const templatePath = path.join(repoRoot, 'infra/template.yaml')

function configFileOf(argv: string[]) {
  const flag = argv.indexOf('--config')
  const named = flag >= 0 ? argv[flag + 1] : undefined
  if (named) return path.resolve(named)
  const standard = path.join(repoRoot, 'deploy.config.json')
  return existsSync(standard) ? standard : undefined
}

/** The send function's Timeout and its queue mapping's BatchSize: what its concurrency is worked out from. */
function sendSettings(template: ReturnType<typeof readTemplate>) {
  const resources = template.Resources as Record<string, { Properties: Record<string, unknown> }>
  return {
    timeoutSeconds: Number(resources.SendFunction!.Properties.Timeout),
    batchSize: Number(resources.SendEventSource!.Properties.BatchSize),
  }
}

const ui: DeployUi = {
  say: (line) => console.log(line),
  confirm: process.stdin.isTTY
    ? async (question) => {
        const terminal = createInterface({ input: process.stdin, output: process.stdout })
        const answer = await terminal.question(`${question} [y/N] `)
        terminal.close()
        return /^y(es)?$/i.test(answer.trim())
      }
    : undefined,
}

async function main(argv: string[]) {
  const template = readTemplate(templatePath)
  const configFile = configFileOf(argv)
  if (configFile && !existsSync(configFile)) throw new DeployError(`There is no config file ${configFile}: fix --config, or leave it out and give flags.`)
  const request = readDeployRequest(argv, {
    configText: configFile ? readFileSync(configFile, 'utf8') : undefined,
    configFile: configFile && path.relative(process.cwd(), configFile),
    templateParameters: Object.keys(template.Parameters ?? {}),
  })
  const clients = deployClients(request.region)
  if (request.action === 'delete') return removeStack(request, { clients, ui })

  await deployStack(request, async (): Promise<DeployArtifacts> => {
    if (request.build) {
      const built = spawnSync('npm', ['run', 'build:aws'], { cwd: repoRoot, stdio: 'inherit' })
      if (built.status !== 0) throw new DeployError('npm run build:aws failed (its output is above): fix the build, then deploy again.')
    }
    for (const fn of lambdaFunctions) {
      if (!existsSync(zipPath(fn))) throw new DeployError(`${path.relative(repoRoot, zipPath(fn))} is missing: run npm run build:aws (or deploy without --no-build).`)
    }
    return {
      zips: lambdaFunctions.map((fn) => ({ fn, path: zipPath(fn) })),
      templatePath,
      templateParameters: Object.keys(template.Parameters ?? {}),
      send: sendSettings(template),
      assetsDir,
      assets: await listAssets(assetsDir),
    }
  }, { clients, ui })
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  if (error instanceof DeployHelp) {
    console.log(error.message)
    process.exit(0)
  }
  // Failures of calls without a sentence of their own (a network error, a throttled poll) get one too.
  console.error(`deploy: ${(error instanceof DeployError ? error : explainAwsError(error, 'finish')).message}`)
  process.exit(1)
}
