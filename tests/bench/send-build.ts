/**
 * Benchmark of building invitations: the complete raw MIME message for each of `attendees`
 * (default 10,000) distinct people invited to one event, on one core, as the send workers
 * build them (`composeInvitationMessage`, a per-recipient unsubscribe link, a fresh
 * DTSTAMP). Against a baseline measured in the same run: the straightforward path the server
 * had before, ical-generator + nodemailer's MailComposer per attendee (kept below, as it
 * was). Reports messages per second and peak memory (RSS and heap); prints the figures.
 * Aims: 500 messages/s or more (35 times SES's default sending rate), peak RSS under 150 MB.
 */
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import MailComposer from 'nodemailer/lib/mail-composer'
import { composeInvitationMessage } from '../../server/domain/invite/compose-message'
import { shippedMailTemplates } from '../../server/templates/mail'
import type { EventState } from '../../server/domain/itip/event-state'
import type { Person } from '../../server/domain/scheduling'
import { reportFigure, type Aim } from './figures'

const RSVP = 'rsvp@events.example.com'

const AIM = { messagesPerSecond: { atLeast: 500 }, peakRssMb: { below: 150 } } satisfies Record<string, Aim>

/** One realistic event: a weekly series in a zone, with a moved and a cancelled occurrence. */
export const benchEvent: EventState = {
  uid: 'bench-series-7f3c2a@events.example.com',
  organizer: { email: 'olga@example.com', name: 'Olga Ørganizer' },
  summary: 'Community meetup: talks, snacks & neighbours',
  description:
    'Our monthly meetup: short talks, snacks and time to meet the neighbours.\nBring a friend!\n\nAgenda:\n- 18:00 doors\n- 18:30 talks\n- 20:00 open floor',
  location: 'Community Hall, 1 Main Street, Springfield',
  url: null,
  start: '2027-03-04T17:00:00Z',
  end: '2027-03-04T19:00:00Z',
  allDay: false,
  timezone: 'Europe/Berlin',
  tzid: null,
  startLocal: null,
  vtimezone: null,
  transp: null,
  rrule: 'FREQ=WEEKLY;BYDAY=TH;COUNT=20',
  exdates: ['2027-04-01T16:00:00Z'],
  rdates: [],
  status: 'CONFIRMED',
  sequence: 2,
  dtstamp: '2026-11-20T10:00:00Z',
  prodid: '-//Google Inc//Google Calendar 70.9054//EN',
  instances: {
    '2027-04-15T16:00:00Z': { recurrenceId: '2027-04-15T16:00:00Z', start: '2027-04-15T17:00:00Z', end: '2027-04-15T19:00:00Z', status: 'CONFIRMED', sequence: 2, dtstamp: null, summary: 'Community meetup (late start)', location: null },
    '2027-04-22T16:00:00Z': { recurrenceId: '2027-04-22T16:00:00Z', start: '2027-04-22T16:00:00Z', end: null, status: 'CANCELLED', sequence: 2, dtstamp: null, summary: null, location: null },
  },
}

const attendeeOf = (i: number): Person => ({ email: `guest${i}@example.org`, name: i % 3 === 0 ? null : i % 3 === 1 ? `Guest Number ${i}` : `Gäste ${i} Ünïcode` })
const unsubscribeUrlOf = (i: number) => `https://events.example.com/unsubscribe/${Buffer.from(`guest${i}@example.org|bench`).toString('base64url')}`

// ---------------------------------------------------------------- the baseline (the code as it was)

const STATUS = { CONFIRMED: ICalEventStatus.CONFIRMED, TENTATIVE: ICalEventStatus.TENTATIVE, CANCELLED: ICalEventStatus.CANCELLED }

/** server/domain/invite/build-invitation.ts before this work: ical-generator, one calendar per attendee. */
function baselineCalendar(event: EventState, recipient: Person, now: Date): string {
  const calendar = ical({ prodId: { company: 'Calendar Invite Server', product: 'invites', language: 'EN' }, method: ICalCalendarMethod.REQUEST })
  const start = event.allDay ? new Date(`${event.start}T00:00:00Z`) : new Date(event.start)
  const end = event.end ? new Date(event.allDay ? `${event.end}T00:00:00Z` : event.end) : undefined
  calendar.createEvent({
    id: event.uid,
    sequence: event.sequence,
    stamp: now,
    start,
    end,
    allDay: event.allDay,
    summary: event.summary,
    description: event.description ?? undefined,
    location: event.location ?? undefined,
    url: event.url ?? undefined,
    status: STATUS[event.status],
    repeating: event.rrule ? `RRULE:${event.rrule}` : undefined,
    organizer: { name: event.organizer.name ?? event.organizer.email, email: RSVP },
    attendees: [{ email: recipient.email, name: recipient.name ?? undefined, rsvp: true, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION }],
  })
  return calendar.toString()
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** server/services/invitations.ts composeInvitation before this work: MailComposer per attendee. */
async function baselineMessage(event: EventState, recipient: Person, unsubscribeUrl: string, now: Date): Promise<Buffer> {
  const calendar = baselineCalendar(event, recipient, now)
  const when = event.allDay ? event.start : new Date(event.start).toUTCString()
  const text = `${event.organizer.name ?? event.organizer.email} invites you to "${event.summary}" (${when}).\n${event.location ? `Where: ${event.location}\n` : ''}`
  const mail = new MailComposer({
    from: { name: event.organizer.name ?? event.organizer.email, address: RSVP },
    to: recipient.name ? { name: recipient.name, address: recipient.email } : recipient.email,
    subject: `Invitation: ${event.summary}`,
    headers: { 'Content-Class': 'urn:content-classes:calendarmessage', 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    text,
    html: `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`,
    alternatives: [{ contentType: 'text/calendar; charset=UTF-8; method=REQUEST', content: calendar, contentTransferEncoding: 'base64' }],
    attachments: [{ filename: 'invite.ics', contentType: 'application/ics; name="invite.ics"', content: calendar, contentTransferEncoding: 'base64' }],
  })
  return new Promise<Buffer>((resolve, reject) => mail.compile().build((error, message) => (error ? reject(error) : resolve(message))))
}

// ---------------------------------------------------------------- measuring

interface Run {
  perSecond: number
  bytes: number
  peakRssMb: number
  peakHeapMb: number
}

const mb = (bytes: number) => bytes / 1024 / 1024

/** Builds one message per attendee (each dropped once built, as a sender would), sampling memory. */
async function measure(attendees: number, build: (i: number, now: Date) => Promise<Buffer>): Promise<Run> {
  // Warm up (JIT, caches, the prepared event), then collect garbage if the runtime lets us.
  for (let i = 0; i < Math.min(300, attendees); i++) await build(attendees + i, new Date())
  ;(globalThis as { gc?: () => void }).gc?.()
  let peakRss = process.memoryUsage.rss()
  let peakHeap = process.memoryUsage().heapUsed
  let bytes = 0
  const started = performance.now()
  for (let i = 0; i < attendees; i++) {
    const raw = await build(i, new Date())
    bytes += raw.length
    if (i % 250 === 0) {
      const memory = process.memoryUsage()
      peakRss = Math.max(peakRss, memory.rss)
      peakHeap = Math.max(peakHeap, memory.heapUsed)
    }
  }
  const seconds = (performance.now() - started) / 1000
  const memory = process.memoryUsage()
  return { perSecond: attendees / seconds, bytes, peakRssMb: mb(Math.max(peakRss, memory.rss)), peakHeapMb: mb(Math.max(peakHeap, memory.heapUsed)) }
}

const buildReal = (i: number, now: Date) =>
  composeInvitationMessage({ event: benchEvent, recipient: attendeeOf(i), method: 'REQUEST', sequence: benchEvent.sequence, organizerMailbox: RSVP, unsubscribeUrl: unsubscribeUrlOf(i), templates: shippedMailTemplates, now })

/**
 * V8 sizes its heap from the memory the machine has: here its young generation grows to
 * 128 MB while MailComposer builds messages at full speed (peak RSS near 280 MB), which a
 * machine with little memory, such as the 512 MB send Lambda, does not give it. The same
 * build again in a child process with the heap limited that way.
 */
export const LAMBDA_HEAP_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=2']

/** Runs in the child process: measures the real builder only and prints the figures as JSON. */
export async function measureRealForChild(attendees: number): Promise<void> {
  process.stdout.write(JSON.stringify(await measure(attendees, buildReal)))
}

function measureInLambdaSizedHeap(attendees: number): Run {
  const child = spawnSync(process.execPath, [...LAMBDA_HEAP_FLAGS, '--import', 'tsx', fileURLToPath(new URL('./send-build.run.ts', import.meta.url)), String(attendees), '--child'], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  })
  if (child.status !== 0) throw new Error(`the Lambda-sized build failed: ${child.stderr}`)
  return JSON.parse(child.stdout) as Run
}

export async function benchBuildInvitations(options: { attendees?: number } = {}): Promise<{ perSecond: number; baselinePerSecond: number; peakRssMb: number }> {
  const attendees = options.attendees ?? 10_000
  const real = await measure(attendees, buildReal)
  const lambdaSized = measureInLambdaSizedHeap(attendees)
  const baseline = await measure(attendees, (i, now) => baselineMessage(benchEvent, attendeeOf(i), unsubscribeUrlOf(i), now))

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  reportFigure({ figure: `invitations built, ${fmt(attendees)} attendees, one core`, value: real.perSecond, unit: 'messages/s', baseline: baseline.perSecond, aim: AIM.messagesPerSecond })
  reportFigure({ figure: 'invitations built in a heap sized like the send Lambda', value: lambdaSized.perSecond, unit: 'messages/s', baseline: baseline.perSecond, aim: AIM.messagesPerSecond })
  reportFigure({ figure: 'peak RSS building them in a heap sized like the send Lambda', value: lambdaSized.peakRssMb, unit: 'MB', baseline: baseline.peakRssMb, aim: AIM.peakRssMb })
  console.log(`\ninvitation building: ${fmt(attendees)} distinct attendees of one event (weekly series in Europe/Berlin, an override, a cancelled occurrence), one core`)
  console.log(`   baseline (ical-generator + MailComposer per attendee): ${fmt(baseline.perSecond).padStart(7)} messages/s, ${(1000 / baseline.perSecond).toFixed(3)} ms each, peak RSS ${baseline.peakRssMb.toFixed(0)} MB`)
  console.log(
    `   composeInvitationMessage (calendar prepared per event version, MailComposer per message): ${fmt(real.perSecond).padStart(7)} messages/s, ${(1000 / real.perSecond).toFixed(3)} ms each (${(real.perSecond / baseline.perSecond).toFixed(1)}x baseline; aim at least ${AIM.messagesPerSecond.atLeast})`,
  )
  console.log(
    `   memory while building: peak RSS ${real.peakRssMb.toFixed(0)} MB, peak heap ${real.peakHeapMb.toFixed(0)} MB; ${(real.bytes / attendees / 1024).toFixed(1)} KiB per message (baseline ${(baseline.bytes / attendees / 1024).toFixed(1)} KiB)`,
  )
  console.log(
    `   in a heap sized like the 512 MB send Lambda's (${LAMBDA_HEAP_FLAGS.join(' ')}): ${fmt(lambdaSized.perSecond)} messages/s (aim at least ${AIM.messagesPerSecond.atLeast}), peak RSS ${lambdaSized.peakRssMb.toFixed(0)} MB (aim under ${AIM.peakRssMb.below} MB)`,
  )
  return { perSecond: real.perSecond, baselinePerSecond: baseline.perSecond, peakRssMb: real.peakRssMb }
}
