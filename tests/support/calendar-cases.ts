/**
 * The calendars the referee tests read: every event of every calendar in the corpus and in
 * tests/fixtures/ical, each as its organizer's REQUEST, with what the server stores for it;
 * and the helpers both referee tests compare occurrences with.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readMail } from '../../server/domain/mail/read-mail'
import { readCalendar, splitCalendars } from '../../server/domain/ical/read-calendar'
import { decideOrganizerMessage, type Policy } from '../../server/domain/itip/rules'
import { NotSchedulingMessage } from '../../server/domain/scheduling'
import type { EventState } from '../../server/domain/itip/event-state'
import { corpusFiles, corpusPath, fixturePath } from '../corpus'

const policy: Policy = { requireVerifiedSender: false, allowedOrganizerDomains: [], serverAddresses: [] }
const DAY = 86_400_000
const TWO_YEARS = 730 * DAY

export interface Case {
  /** The source file, and which calendar and event in it. */
  name: string
  /** The calendar the server read (that event, as an organizer's REQUEST), as a file the referee reads too. */
  path: string
  event: EventState
}

export const calendarFolder = mkdtempSync(join(tmpdir(), 'cis-referee-'))
const fixtureFolder = fixturePath('ical')
export const sources = [
  ...corpusFiles('eml').map((f) => ({ name: `eml/${f}`, path: corpusPath(`eml/${f}`) })),
  ...corpusFiles('ics').map((f) => ({ name: `ics/${f}`, path: corpusPath(`ics/${f}`) })),
  ...(existsSync(fixtureFolder) ? readdirSync(fixtureFolder).filter((f) => /\.(ics|eml)$/.test(f)) : []).map((f) => ({
    name: `fixtures/ical/${f}`,
    path: join(fixtureFolder, f),
  })),
]

const unfold = (text: string) => text.replace(/\r?\n[ \t]/g, '')
const uidOf = (vevent: string) => /^UID[;:]([^\r\n]*)/im.exec(unfold(vevent))?.[1]?.split(':').at(-1)?.trim() ?? null

/**
 * Every event of every calendar in a text, each as a calendar of its own: the organizer's
 * REQUEST for that UID (its master and overrides, the VTIMEZONEs), so published calendars,
 * files of many events and streams of messages are read like an invitation would be.
 */
function eventCalendars(text: string): { uid: string; calendar: string }[] {
  const found: { uid: string; calendar: string }[] = []
  for (const vcalendar of splitCalendars(text)) {
    const zones = (vcalendar.match(/BEGIN:VTIMEZONE[\s\S]*?END:VTIMEZONE\r?\n/gi) ?? []).join('')
    const byUid = new Map<string, string[]>()
    for (const vevent of vcalendar.match(/BEGIN:VEVENT[\s\S]*?END:VEVENT\r?\n?/gi) ?? []) {
      const uid = uidOf(vevent)
      if (uid) byUid.set(uid, [...(byUid.get(uid) ?? []), vevent.replace(/\r?\n?$/, '\r\n')])
    }
    for (const [uid, vevents] of byUid) {
      const events = vevents.map((v) => (/^ORGANIZER[;:]/im.test(v) ? v : v.replace(/^END:VEVENT/im, 'ORGANIZER:mailto:organizer@example.com\r\nEND:VEVENT')))
      found.push({ uid, calendar: ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//CIS tests//referee//EN', 'METHOD:REQUEST', ''].join('\r\n') + zones + events.join('') + 'END:VCALENDAR\r\n' })
    }
  }
  return found
}

/** What the server would store for each event of a file, as its organizer's invitation. */
export async function storedSeries(source: { name: string; path: string }): Promise<Case[]> {
  const bytes = readFileSync(source.path)
  const texts = source.name.endsWith('.eml') ? (await readMail(bytes)).calendars.slice(0, 1).map((c) => c.text) : [bytes.toString('utf8')]
  const cases: Case[] = []
  for (const [index, { uid, calendar }] of texts.flatMap(eventCalendars).entries()) {
    let message
    try {
      message = readCalendar(calendar)
    } catch (error) {
      if (error instanceof NotSchedulingMessage) continue
      throw error
    }
    if (!message.master?.organizer) continue
    const decision = decideOrganizerMessage(message, null, { email: message.master.organizer.email, verified: true }, policy)
    if (!('event' in decision)) continue
    const path = join(calendarFolder, `${source.name.replace(/\W+/g, '_')}-${index}.ics`)
    writeFileSync(path, calendar)
    cases.push({ name: `${source.name} #${index} ${uid}`, path, event: decision.event })
  }
  return cases
}

/** Referee times as the server writes them: floating times were placed as UTC. */
export const asServer = (time: string) => (time.length === 19 ? `${time}Z` : time)

export function windowOf(event: EventState) {
  const start = Date.parse(event.allDay ? `${event.start}T00:00:00Z` : event.start)
  return { from: new Date(start - DAY).toISOString().slice(0, 10), to: new Date(start + TWO_YEARS).toISOString().slice(0, 10) }
}

/** Both sides' occurrences inside the window, a day clear of its edges (days are zoned differently). */
export function inside(list: { start: string; end: string }[], window: { from: string; to: string }) {
  const from = Date.parse(`${window.from}T00:00:00Z`) + DAY
  const to = Date.parse(`${window.to}T00:00:00Z`) - DAY
  return list
    .filter((o) => {
      const at = Date.parse(o.start.length === 10 ? `${o.start}T00:00:00Z` : o.start)
      return at >= from && at <= to
    })
    .map((o) => `${o.start} → ${o.end}`)
}


/**
 * Files the referee reads wrongly or not at all, and why. Each is still read by both; the
 * test checks that they really disagree, so an entry cannot outlive its reason. The
 * fixtures among them are checked against hand-computed instants (expected.json) instead.
 */
export const refereeWrong: Record<string, string> = {
  'eml/notes__tb__invite-no-method-no-organizer.eml':
    'TZID "FLE" has no VTIMEZONE: python icalendar reads it as floating; the server reads Lotus Notes\' name as Windows "FLE Standard Time" (Europe/Kiev).',
  'eml/generic__libical__complex-mime.eml':
    'DTEND:199706211T173000Z has a digit too many: icalendar refuses the file; the server ignores that DTEND, with a warning, and keeps the event.',
  'fixtures/ical/cdo-sarajevo-1601.ics':
    "dateutil compares UNTIL with occurrences in DTSTART's offset (icalendar 4's pytz-style zones), so the last occurrence after the DST change, exactly at UNTIL, is dropped; RFC 5545 §3.3.10 makes it the last instance.",
  'fixtures/ical/exchange-allday-datetime-recurrence-id.ics':
    "an all-day series' UNTIL given as Exchange's UTC instant of the last day's local midnight is compared as the UTC date, one day early (ITIP.md 26: it means that local date).",
  'fixtures/ical/lotus-notes-eastern-short-tzid.ics': 'dateutil cannot sort PERIOD-valued RDATEs (TypeError between datetime and tuple).',
  'ics/zimbra__icaljs__recur-instances.ics': 'dateutil cannot sort PERIOD-valued RDATEs (TypeError between datetime and tuple).',
  'ics/exchange__node-ical__allday-moved-recurrence.ics':
    "an all-day series' UNTIL given as Exchange's UTC instant of the last day's local midnight (W. Europe Standard Time) is compared as the UTC date, one day early.",
  'ics/mixed__ics-parser__ICal-example.ics #11':
    'TZID "(UTC-05:00) Eastern Time (US & Canada)" has no VTIMEZONE: icalendar 4 does not know Windows display names and reads 09:00 as UTC; the server maps it through CLDR to America/New_York.',
  'ics/outlook__node-ical__quoted-windows-tz-rrule.ics':
    'TZID "(UTC-05:00) Eastern Time (US and Canada)" has no VTIMEZONE: icalendar 4 does not know Windows display names and places DTSTART in Los Angeles time; the server maps it through CLDR to America/New_York.',
  'ics/mixed__node-ical__tzone-microsoft-custom.ics #2':
    'DURATION:-PT1W1D2H3M4S (negative) is refused by icalendar 4; RFC 5545 §3.3.6 allows the sign.',
  'ics/rfc__libical__2446-all-examples.ics #3':
    'the event ends (DTEND 1 July) before it starts (2 July): recurring-ical-events refuses it; the server keeps it as written, with a warning.',
  'ics/rfc__libical__2446-all-examples.ics #4':
    'an all-day DTSTART without DTEND lasts one day (RFC 5545 §3.6.1); recurring-ical-events 2.0 gives it no length.',
  'ics/rfc__libical__incoming-sequence.ics #0': 'DTEND:19970701T10300Z lacks a digit: icalendar refuses the file; the server ignores that DTEND, with a warning.',
}

/** The reason a case is listed for: its file, or the file and calendar number. */
export const refereeWrongFor = (name: string) => {
  const [file, number] = name.split(' ')
  return refereeWrong[`${file} ${number}`] ?? refereeWrong[file!]
}

