/**
 * `cis`, the operator's command line:
 *   cis inspect FILE          describe a scheduling message (.eml or .ics); needs no services
 *   cis ingest FILE…          run messages through the pipeline against the configured backend
 *   cis replay [--since …]    reprocess logged rejected and failed messages
 * Errors are one line on stderr and a non-zero exit, never a stack trace.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { inspectFile } from './inspect-file'

const USAGE = `Usage:
  cis inspect FILE
  cis ingest [--mailbox create|rsvp|bulk] [--verified] FILE…
  cis replay [--since 2026-11-01|7d]`

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'inspect': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true })
      if (positionals.length !== 1) throw new UsageError('cis inspect takes exactly one FILE.')
      const description = await inspectFile(positionals[0]!, await readFile(positionals[0]!))
      process.stdout.write(JSON.stringify(description, null, 2) + '\n')
      return 0
    }
    case 'ingest': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { mailbox: { type: 'string' }, verified: { type: 'boolean', default: false } },
      })
      if (!positionals.length) throw new UsageError('cis ingest needs at least one FILE.')
      const { ingestFiles } = await import('./ingest-files')
      let failures = 0
      for await (const line of ingestFiles(positionals, { mailbox: values.mailbox, verified: values.verified })) {
        process.stdout.write(JSON.stringify(line) + '\n')
        if (line.outcome === 'failed') failures++
      }
      return failures ? 1 : 0
    }
    case 'replay': {
      const { values } = parseArgs({ args: rest, options: { since: { type: 'string', default: '7d' } } })
      const { replaySince, parseSince } = await import('./replay')
      for await (const line of replaySince(parseSince(values.since!))) process.stdout.write(JSON.stringify(line) + '\n')
      return 0
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE + '\n')
      return command ? 0 : 2
    default:
      throw new UsageError(`Unknown command "${command}".\n${USAGE}`)
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error & { code?: string; path?: string }) => {
    const message =
      error.code === 'ENOENT' ? `cis: no such file: ${error.path}` : `cis: ${error.message.replace(/\s+/g, ' ').trim()}`
    process.stderr.write(message + '\n')
    process.exit(error instanceof UsageError ? 2 : 1)
  },
)
