/**
 * Reads every calendar in the corpus and in tests/fixtures/ical the way the pipeline does,
 * and prints what the server would keep (the message, or the reason it refuses it, and a
 * series' occurrences over two years) as JSON. Run in a child process under a chosen TZ by
 * the process-time-zone test: the reading must not depend on the zone of the machine.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { readMail } from '../../server/domain/mail/read-mail'
import { readFirstCalendar } from '../../server/domain/ical/read-calendar'
import { occurrencesOf } from '../../server/domain/ical/occurrences'
import { decideOrganizerMessage } from '../../server/domain/itip/rules'
import { NotSchedulingMessage } from '../../server/domain/scheduling'
import { corpusFiles, corpusPath, fixturePath } from '../corpus'

const fixtures = fixturePath('ical')
const sources = [
  ...corpusFiles('eml').map((f) => corpusPath(`eml/${f}`)),
  ...corpusFiles('ics').map((f) => corpusPath(`ics/${f}`)),
  ...(existsSync(fixtures) ? readdirSync(fixtures).filter((f) => /\.(ics|eml)$/.test(f)).map((f) => join(fixtures, f)) : []),
]

const results: Record<string, unknown> = {}
for (const path of sources) {
  const bytes = readFileSync(path)
  const parts = path.endsWith('.eml') ? (await readMail(bytes)).calendars : [{ text: bytes.toString('utf8'), contentTypeMethod: null }]
  try {
    const message = readFirstCalendar(parts)
    const decision = message.master?.organizer
      ? decideOrganizerMessage(message, null, { email: message.master.organizer.email, verified: true }, { requireVerifiedSender: false, allowedOrganizerDomains: [], serverAddresses: [] })
      : null
    const event = decision && 'event' in decision ? decision.event : null
    const from = event ? (event.allDay ? event.start : event.start.slice(0, 10)) : null
    const to = from ? `${Number(from.slice(0, 4)) + 2}${from.slice(4)}` : null
    results[path.slice(path.lastIndexOf('/') + 1)] = { message, occurrences: event ? occurrencesOf(event, from!, to!) : null }
  } catch (error) {
    if (!(error instanceof NotSchedulingMessage)) throw error
    results[path.slice(path.lastIndexOf('/') + 1)] = { refused: error.code, reason: error.message }
  }
}
process.stdout.write(JSON.stringify(results))
