/**
 * What `npm run deploy` was asked to do, from its flags and `deploy.config.json` (flags win):
 *
 *   npm run deploy -- --stack NAME --region REGION --mail-domain DOMAIN [--parameter Key=Value …] [--yes]
 *   npm run deploy -- --delete [--purge] [--yes]
 *
 * deploy.config.json (optional, in the repository's root or named with --config):
 *   { "stackName": "cis", "region": "eu-west-1", "mailDomain": "events.example.com",
 *     "parameters": { "OwnerEmails": "me@example.com" } }
 */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { DeployError } from './deploy-error'

/** Parameters the command fills in itself; the rest of the template's may be given. */
export const PARAMETERS_SET_BY_DEPLOY = ['MailDomain', 'CodeBucket', 'WebCodeKey', 'InboundCodeKey', 'SendCodeKey'] as const

// The mail bucket's name is `<stack>-mail-<account>-<region>`: S3 allows 63 lower-case characters.
const STACK_NAME = /^[a-z][a-z0-9-]{0,29}$/
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/

const DeployConfigFile = z
  .object({
    stackName: z.string(),
    region: z.string(),
    mailDomain: z.string(),
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)),
  })
  .partial()
  .strict()

/** `--help`: the usage, printed, and nothing done. */
export class DeployHelp extends Error {
  override name = 'DeployHelp'
}

export interface DeployRequest {
  action: 'deploy' | 'delete'
  stackName: string
  region: string
  /** Required to deploy; not to delete. */
  mailDomain?: string
  /** Template parameters given by the user (never those in PARAMETERS_SET_BY_DEPLOY). */
  parameters: Record<string, string>
  /** Apply the change set (or delete) without asking. */
  yes: boolean
  /** With delete: remove the table and the mail bucket too. */
  purge: boolean
  /** Run `npm run build:aws` first (off with --no-build: dist/aws as it is). */
  build: boolean
  configFile?: string
}

export const DEPLOY_USAGE = `Usage:
  npm run deploy -- --stack NAME --region REGION --mail-domain DOMAIN [--parameter Key=Value …] [--yes] [--no-build]
  npm run deploy -- --delete [--purge] [--stack NAME --region REGION] [--yes]
Settings may also come from deploy.config.json (or --config FILE):
  { "stackName": "cis", "region": "eu-west-1", "mailDomain": "events.example.com", "parameters": { "OwnerEmails": "me@example.com" } }`

/**
 * Reads the request from `argv` (what follows `npm run deploy --`) and the config file's text
 * (`configText`, when there is one), against the template's parameter names. Every mistake is
 * a DeployError naming the flag or key.
 */
export function readDeployRequest(argv: string[], options: { configText?: string; configFile?: string; env?: NodeJS.ProcessEnv; templateParameters: string[] }): DeployRequest {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      allowNegative: true,
      options: {
        stack: { type: 'string' },
        region: { type: 'string' },
        'mail-domain': { type: 'string' },
        parameter: { type: 'string', multiple: true },
        config: { type: 'string' },
        yes: { type: 'boolean', default: false },
        delete: { type: 'boolean', default: false },
        purge: { type: 'boolean', default: false },
        build: { type: 'boolean', default: true },
        help: { type: 'boolean', default: false },
      },
    }).values
  } catch (error) {
    throw new DeployError(`${(error as Error).message.replace(/\.$/, '')}.\n${DEPLOY_USAGE}`)
  }

  if (parsed.help) throw new DeployHelp(DEPLOY_USAGE)

  let file: z.infer<typeof DeployConfigFile> = {}
  if (options.configText !== undefined) {
    let json: unknown
    try {
      json = JSON.parse(options.configText)
    } catch (error) {
      throw new DeployError(`${options.configFile ?? 'The config file'} is not JSON (${(error as Error).message}): fix it, or leave it out and give flags.`)
    }
    const result = DeployConfigFile.safeParse(json)
    if (!result.success) {
      const issue = result.error.issues[0]!
      const where = issue.path.length ? `"${issue.path.join('.')}"` : 'its top level'
      throw new DeployError(`${options.configFile ?? 'The config file'} is not a deploy configuration at ${where}: ${issue.message} (it takes stackName, region, mailDomain and parameters).`)
    }
    file = result.data
  }

  const env = options.env ?? process.env
  const stackName = parsed.stack ?? file.stackName ?? 'cis'
  const region = parsed.region ?? file.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  const mailDomain = parsed['mail-domain'] ?? file.mailDomain
  const action = parsed.delete ? 'delete' : 'deploy'

  if (!STACK_NAME.test(stackName)) {
    throw new DeployError(`The stack name "${stackName}" cannot be used: give --stack lower-case letters, digits and hyphens, starting with a letter, at most 30 characters (the mail bucket's name is built from it).`)
  }
  if (!region) throw new DeployError('No region given: pass --region (e.g. --region eu-west-1), set "region" in deploy.config.json, or set AWS_REGION.')
  if (parsed.purge && !parsed.delete) throw new DeployError('--purge only goes with --delete (npm run deploy -- --delete --purge).')
  if (action === 'deploy') {
    if (!mailDomain) throw new DeployError('No mail domain given: pass --mail-domain (the domain of the create@, rsvp@ and bulk@ mailboxes, e.g. events.example.com) or set "mailDomain" in deploy.config.json.')
    if (!DOMAIN.test(mailDomain)) throw new DeployError(`The mail domain "${mailDomain}" is not a lower-case domain name such as events.example.com.`)
  }

  const parameters: Record<string, string> = { ...file.parameters }
  for (const pair of parsed.parameter ?? []) {
    const equals = pair.indexOf('=')
    if (equals < 1) throw new DeployError(`--parameter ${pair} is not Key=Value (e.g. --parameter OwnerEmails=me@example.com).`)
    parameters[pair.slice(0, equals)] = pair.slice(equals + 1)
  }
  for (const name of Object.keys(parameters)) {
    if ((PARAMETERS_SET_BY_DEPLOY as readonly string[]).includes(name)) {
      throw new DeployError(`The parameter ${name} is set by the deploy command itself: leave it out${name === 'MailDomain' ? ' and give --mail-domain' : ''}.`)
    }
    if (!options.templateParameters.includes(name)) {
      throw new DeployError(`The template has no parameter ${name}: it takes ${options.templateParameters.filter((p) => !(PARAMETERS_SET_BY_DEPLOY as readonly string[]).includes(p)).join(', ')}.`)
    }
  }

  return { action, stackName, region, mailDomain, parameters, yes: parsed.yes, purge: parsed.purge, build: parsed.build, configFile: options.configFile }
}
