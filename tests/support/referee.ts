/**
 * An independent referee for calendar times in tests: tests/referee/occurrences.py reads
 * iCalendar files with python `icalendar` and `recurring-ical-events` (Debian's
 * python3-icalendar and python3-recurring-ical-events) and gives each event series'
 * occurrences, so the server's own reading can be compared against another implementation's.
 */
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

const script = fileURLToPath(new URL('../referee/occurrences.py', import.meta.url))
// The first python on PATH may be another install (a pyenv shim, say) without Debian's modules.
const interpreters = ['python3', '/usr/bin/python3']
const modules = [
  { name: 'icalendar', debian: 'python3-icalendar' },
  { name: 'recurring_ical_events', debian: 'python3-recurring-ical-events' },
]
const timeoutMs = 120_000

/** A time as the referee writes it: `…Z` (UTC) for a zoned datetime, no Z when floating, `YYYY-MM-DD` for a date. */
const refereeTime = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z?)?$/)

const refereeOccurrenceSchema = z.object({
  start: refereeTime,
  end: refereeTime,
  /** The RECURRENCE-ID of the override this occurrence comes from; null for the master's own occurrences. */
  recurrenceId: refereeTime.nullable(),
  /** The occurrence's STATUS when it has one: a cancelled override is listed, with CANCELLED. */
  status: z.string().optional(),
})

const refereeEventSchema = z.object({
  uid: z.string().nullable(),
  /** By start within each VCALENDAR; a file's VCALENDARs one after another. */
  occurrences: z.array(refereeOccurrenceSchema),
})

const refereeResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), events: z.array(refereeEventSchema) }),
  /** The file could not be read (icalendar or recurring-ical-events failed, or dropped a time property). */
  z.object({ ok: z.literal(false), error: z.string() }),
])

const refereeOutputSchema = z.record(z.string(), refereeResultSchema)

export type RefereeOccurrence = z.infer<typeof refereeOccurrenceSchema>
export type RefereeEvent = z.infer<typeof refereeEventSchema>
export type RefereeResult = z.infer<typeof refereeResultSchema>

/**
 * A file to read. `from` and `to` are whole days (YYYY-MM-DD), both included, read in each
 * event's own zone. Without `from`: the day of the file's first DTSTART; without `to`: the day
 * the last series ends, never more than two years after the window's start.
 */
export interface RefereeFile {
  path: string
  from?: string
  to?: string
}

type Probe = { interpreter: string } | { missing: string }
let probed: Probe | undefined

function probe(): Probe {
  if (probed) return probed
  const check = [
    'import importlib, json',
    'missing = []',
    `for name in ${JSON.stringify(modules.map((m) => m.name))}:`,
    '    try: importlib.import_module(name)',
    '    except Exception: missing.append(name)',
    'print(json.dumps(missing))',
  ].join('\n')
  let fewest: string[] | undefined
  for (const interpreter of interpreters) {
    const run = spawnSync(interpreter, ['-c', check], { encoding: 'utf8', timeout: 30_000 })
    if (run.status !== 0) continue
    const missing = z.array(z.string()).parse(JSON.parse(run.stdout))
    if (missing.length === 0) return (probed = { interpreter })
    if (!fewest || missing.length < fewest.length) fewest = missing
  }
  const packages = modules.filter((m) => !fewest || fewest.includes(m.name)).map((m) => m.debian)
  const what = fewest ? `${packages.join(' and ')} ${packages.length > 1 ? 'are' : 'is'} not installed` : 'no python3 was found'
  return (probed = { missing: `${what} (apt-get install ${packages.join(' ')})` })
}

/** Null when the referee can run; otherwise a sentence saying what is missing, for `describe.skipIf`. */
export function refereeAvailable(): string | null {
  const found = probe()
  return 'missing' in found ? found.missing : null
}

/** The occurrences of each file's event series, keyed by the path as given; one python process for all files. */
export async function refereeOccurrences(files: RefereeFile[]): Promise<Record<string, RefereeResult>> {
  const found = probe()
  if ('missing' in found) throw new Error(`The calendar referee cannot run: ${found.missing}.`)
  const request = JSON.stringify({ files: files.map((f) => ({ path: f.path, from: f.from ?? null, to: f.to ?? null })) })
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(found.interpreter, [script], { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'))
      const why = signal ? `was stopped by ${signal}${signal === 'SIGTERM' ? ` (over ${timeoutMs / 1000} s?)` : ''}` : `exited with ${code}`
      reject(new Error(`The calendar referee ${why}: ${Buffer.concat(err).toString('utf8').trim()}`))
    })
    // A referee that dies before reading all of stdin is reported by 'close' with its stderr.
    child.stdin.on('error', () => {})
    child.stdin.end(request)
  })
  return refereeOutputSchema.parse(JSON.parse(stdout))
}
