/**
 * `cis`, the operator's command line:
 *   cis inspect FILE          describe a scheduling message (.eml or .ics); needs no services
 *   cis preview-invite FILE --to EMAIL [--name NAME]
 *                             print the raw invitation email the server would send to EMAIL
 *                             for the event in FILE (its unsubscribe link carries the fake
 *                             token `preview`), from the templates in use; needs no services
 *                             unless those are in S3
 *   cis templates export DIR  write the shipped mail templates into DIR, to edit
 *   cis templates check [DIR] check DIR, or the configured templates, as the server does at start
 *   cis check-list FILE.csv [--event UID] [--layout vip|bulk]
 *                             read an invitation list as the server does and print what it
 *                             holds (rows, valid, invalid and duplicate rows) as one JSON
 *                             object; needs no services without --event
 *   cis ingest FILE…          run messages through the pipeline against the configured backend
 *   cis replay [--since …]    reprocess logged rejected and failed messages
 *   cis token create|list|revoke ORGANIZER [ID] [--label TEXT]
 *                             an organizer's API tokens (for POST /api/events/{uid}/invites)
 *   cis bulk-senders add EMAIL [--daily-limit N] | list | remove EMAIL
 *                             who may mail CSV lists to bulk@, and their daily invitation
 *                             limits (none: the server's default); list prints one JSON line each
 * Errors are one line on stderr and a non-zero exit (2 for a command given wrongly), never a stack trace.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { inspectFile } from './inspect-file'
import { UsageError } from './usage-error'

const USAGE = `Usage:
  cis inspect FILE
  cis preview-invite FILE --to EMAIL [--name NAME]
  cis templates export DIR | check [DIR]
  cis check-list FILE.csv [--event UID] [--layout vip|bulk]
  cis ingest [--mailbox create|rsvp|bulk] [--verified] FILE…
  cis replay [--since 2026-11-01|7d]
  cis token create ORGANIZER [--label TEXT] | list ORGANIZER | revoke ORGANIZER ID
  cis bulk-senders add EMAIL [--daily-limit N] | list | remove EMAIL`

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
    case 'preview-invite': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        strict: true,
        options: { to: { type: 'string' }, name: { type: 'string' } },
      })
      if (positionals.length !== 1) throw new UsageError('cis preview-invite takes exactly one FILE.')
      if (!values.to) throw new UsageError('cis preview-invite needs --to EMAIL (the recipient).')
      const [{ previewInvite }, { isMailAddress }, { config }, { useMailTemplates }] = await Promise.all([
        import('./preview-invite'),
        import('../domain/mail/address'),
        import('../config'),
        import('../templates/in-use'),
      ])
      if (!isMailAddress(values.to.trim())) throw new UsageError(`--to ${JSON.stringify(values.to)} is not a mail address.`)
      const cfg = config()
      const raw = await previewInvite(positionals[0]!, await readFile(positionals[0]!), {
        to: values.to,
        name: values.name,
        organizerMailbox: cfg.mailboxes.rsvp,
        siteUrl: cfg.siteUrl,
        templates: await useMailTemplates(),
      })
      await new Promise<void>((resolve, reject) => process.stdout.write(raw, (error) => (error ? reject(error) : resolve())))
      return 0
    }
    case 'templates': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true })
      const [action, folder, ...extra] = positionals
      const { exportTemplates, checkTemplates } = await import('./templates')
      if (action === 'export' && folder && !extra.length) {
        const written = await exportTemplates(folder)
        process.stdout.write(`Wrote ${written.length} templates: ${written.join(', ')}\n`)
        return 0
      }
      if (action === 'check' && !extra.length) {
        process.stdout.write((await checkTemplates(folder)) + '\n')
        return 0
      }
      throw new UsageError('Usage: cis templates export DIR | check [DIR]')
    }
    case 'check-list': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        strict: true,
        options: { event: { type: 'string' }, layout: { type: 'string' } },
      })
      if (positionals.length !== 1) throw new UsageError('cis check-list takes exactly one FILE.csv.')
      const { checkList, isListLayout } = await import('./check-list')
      if (values.layout !== undefined && !isListLayout(values.layout)) {
        throw new UsageError(`--layout must be vip or bulk, not ${JSON.stringify(values.layout)}.`)
      }
      const summary = await checkList(positionals[0]!, { event: values.event, layout: values.layout })
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
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
    case 'token': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { label: { type: 'string' } } })
      const { tokenCommand } = await import('./api-token')
      process.stdout.write((await tokenCommand(positionals[0], positionals.slice(1), values.label)) + '\n')
      return 0
    }
    case 'bulk-senders': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { 'daily-limit': { type: 'string' } } })
      const { bulkSendersCommand } = await import('./bulk-senders')
      for (const line of await bulkSendersCommand(positionals, { dailyLimit: values['daily-limit'] })) process.stdout.write(line + '\n')
      return 0
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
    // Options parseArgs refuses (unknown, or missing their value) are a command given wrongly too.
    process.exit(error instanceof UsageError || error.code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1)
  },
)
