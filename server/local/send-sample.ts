/**
 * `npm run send-sample [file.eml] [--to create|rsvp|bulk|address]`: mails a message to the
 * local SMTP receiver, as an organizer's mail server would deliver it to SES. The
 * envelope sender is the message's From address; the default message is a Google
 * Calendar invitation (tests/fixtures/mail/sample-invite.eml) to create@. `--bulk` mails
 * the sample's organizer's CSV list for that event (tests/fixtures/mail/sample-bulk.eml) to bulk@.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import nodemailer from 'nodemailer'
import { config } from '../config'
import { addressInHeader } from '../domain/mail/address'
import { readHeaderFields } from './smtp-receiver'
import { fixedPorts, LOCAL_HOST } from './ports'
import { LocalStackError } from './errors'

const root = fileURLToPath(new URL('../..', import.meta.url))
const DEFAULT_FILE = path.join(root, 'tests/fixtures/mail/sample-invite.eml')
const BULK_FILE = path.join(root, 'tests/fixtures/mail/sample-bulk.eml')

function parseArgs(argv: string[]): { file: string; to: string } {
  let file: string | undefined
  let to = 'create'
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') continue
    else if (arg === '--bulk') {
      file ??= BULK_FILE
      to = 'bulk'
    } else if (arg === '--to') to = argv[++i] ?? ''
    else if (arg.startsWith('--to=')) to = arg.slice(5)
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run send-sample -- [file.eml] [--to create|rsvp|bulk|address] | --bulk')
      process.exit(0)
    } else if (arg.startsWith('-')) throw new LocalStackError(`Unknown option ${arg}; use [file.eml] [--to create|rsvp|bulk], or --bulk.`)
    else file = arg
  }
  if (!to) throw new LocalStackError('--to needs a mailbox: create, rsvp or bulk (or a full address).')
  return { file: path.resolve(file ?? DEFAULT_FILE), to }
}

async function main() {
  const { file, to } = parseArgs(process.argv.slice(2))
  const raw = await readFile(file).catch(() => {
    throw new LocalStackError(`Cannot read ${file}; give the path of an .eml file.`)
  })
  const from = addressInHeader(readHeaderFields(raw).find((field) => field.key.toLowerCase() === 'from')?.value)
  if (!from) throw new LocalStackError(`${file} has no From address to use as the envelope sender.`)
  const recipient = to.includes('@') ? to : `${to}@${config().mailDomain}`
  // The dev stack's port (CIS_PORT_SMTP if moved), or a running stack's own (tests).
  const port = Number(process.env.CIS_LOCAL_SMTP_PORT ?? fixedPorts().smtp)

  const transport = nodemailer.createTransport({ host: LOCAL_HOST, port, secure: false, ignoreTLS: true })
  try {
    const info = await transport.sendMail({ envelope: { from, to: [recipient] }, raw })
    const id = /Ok ([0-9a-v]{40})/.exec(info.response)?.[1]
    const mailbox = recipient.split('@')[0]!.toLowerCase()
    console.log(`Sent ${path.relative(process.cwd(), file) || file} from ${from} to ${recipient} (${raw.length} bytes).`)
    if (id) console.log(`Stored as s3://${config().mailBucket}/${mailbox}/${id}; the dev server's log shows it being processed.`)
  } catch (error) {
    const code = (error as { code?: string }).code
    const response = (error as { response?: string }).response
    if (code === 'ESOCKET' || code === 'ECONNECTION' || /ECONNREFUSED/.test(String(error))) {
      throw new LocalStackError(`Nothing answers on ${LOCAL_HOST}:${port}; start the local stack with \`npm run dev\` first.`)
    }
    if (response) throw new LocalStackError(`The local SMTP receiver refused the message: ${response}`)
    throw error
  } finally {
    transport.close()
  }
}

main().catch((error: unknown) => {
  if (error instanceof LocalStackError) console.error(error.message)
  else console.error(error)
  process.exit(1)
})
