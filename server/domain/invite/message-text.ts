/**
 * The words of an invitation: subject, plain-text and HTML bodies. Everything the organizer
 * wrote is user data: flattened to one line wherever it reaches a header (no CR/LF or other
 * control characters, so it cannot start a header of its own) and HTML-escaped in the
 * HTML body. Times are shown in the event's zone when it is known, with the zone's name.
 */
import type { EventState } from '../itip/event-state'
import type { InvitationMethod } from './build-invitation'
import { isKnownZone } from './vtimezone'

/** One line of text safe for a header or a display name: no control or line-separator characters. */
export function oneLine(value: string | null | undefined, max = 200): string {
  const line = (value ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/** Only http(s) links become clickable. */
const isWebLink = (url: string | null | undefined): url is string => Boolean(url && /^https?:\/\/[^\s<>"'\u0000-\u001f\u007f]+$/i.test(url))

export interface InvitationWords {
  event: EventState
  method: InvitationMethod
  sequence: number
  /** The recipient had an earlier version: the wording says "updated". */
  update?: boolean
  /** Link to the event's public page. */
  eventUrl?: string
}

/** What differs between the recipients of one invitation: only the footer. */
export interface RecipientWords {
  email: string
  unsubscribeUrl?: string
}

/** The name the organizer is shown by. */
export const organizerName = (event: EventState) => oneLine(event.organizer.name) || event.organizer.email

const WEEKDAY_NAMES: Record<string, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' }
const UNITS: Record<string, string> = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year', HOURLY: 'hour', MINUTELY: 'minute', SECONDLY: 'second' }

function zoneOf(event: EventState): string {
  return event.timezone && isKnownZone(event.timezone) ? event.timezone : 'UTC'
}

// Building an Intl formatter costs far more than using one: keep them.
const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options)
  let f = formatters.get(key)
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, options)))
  return f
}

function formatDay(date: string): string {
  return formatter('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${date}T00:00:00Z`))
}

function formatTime(iso: string, zone: string, withDate: boolean): string {
  const options: Intl.DateTimeFormatOptions = withDate
    ? { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
  return formatter('en-GB', options).format(new Date(iso))
}

const localDate = (iso: string, zone: string) => formatter('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))

/** "Monday 15 March 2027, 10:00 – 11:00 (Europe/Berlin)", or the days of an all-day event. */
export function describeWhen(event: Pick<EventState, 'start' | 'end' | 'allDay' | 'timezone'>): string {
  if (event.allDay || /^\d{4}-\d{2}-\d{2}$/.test(event.start)) {
    const lastDay = event.end ? new Date(Date.parse(`${event.end}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10) : event.start
    return lastDay > event.start ? `${formatDay(event.start)} – ${formatDay(lastDay)} (all day)` : `${formatDay(event.start)} (all day)`
  }
  const zone = zoneOf(event as EventState)
  const start = formatTime(event.start, zone, true)
  if (!event.end) return `${start} (${zone})`
  const sameDay = localDate(event.start, zone) === localDate(event.end, zone)
  return `${start} – ${formatTime(event.end, zone, !sameDay)} (${zone})`
}

/** A recurrence rule in words ("every week on Monday, 4 times"), or null when it has none. */
export function describeRecurrence(event: Pick<EventState, 'rrule' | 'timezone' | 'allDay'>): string | null {
  if (!event.rrule) return null
  const parts = new Map(
    event.rrule
      .replace(/^RRULE:/i, '')
      .split(';')
      .map((part) => part.split('=') as [string, string?])
      .map(([k, v]) => [k.toUpperCase(), (v ?? '').toUpperCase()] as const),
  )
  const unit = UNITS[parts.get('FREQ') ?? '']
  if (!unit) return `repeats (${oneLine(event.rrule)})`
  const interval = Number(parts.get('INTERVAL') ?? '1')
  let words = interval > 1 ? `every ${interval} ${unit}s` : `every ${unit}`
  const days = (parts.get('BYDAY') ?? '')
    .split(',')
    .map((d) => /^([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(d))
    .filter(Boolean)
    .map((m) => (m![1] ? `${m![1]}. ${WEEKDAY_NAMES[m![2]!]}` : WEEKDAY_NAMES[m![2]!]))
  if (days.length) words += ` on ${days.join(', ')}`
  if (parts.get('COUNT')) words += `, ${parts.get('COUNT')} times`
  const until = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(parts.get('UNTIL') ?? '')
  if (until) words += `, until ${formatDay(`${until[1]}-${until[2]}-${until[3]}`)}`
  return words
}

export function subjectOf(words: Pick<InvitationWords, 'event' | 'method' | 'sequence' | 'update'>): string {
  const summary = oneLine(words.event.summary) || '(no title)'
  const when = describeWhen(words.event)
  if (words.method === 'CANCEL') return oneLine(`Cancelled: ${summary} @ ${when}`, 250)
  return oneLine(`${words.update ? 'Updated invitation' : 'Invitation'}: ${summary} @ ${when}`, 250)
}

interface Facts {
  lead: string
  rows: [label: string, value: string][]
  description: string | null
  eventUrl: string | null
  organizer: string
  method: InvitationMethod
}

function factsOf(words: InvitationWords): Facts {
  const { event, method } = words
  const who = organizerName(event)
  const summary = oneLine(event.summary, 1000) || '(no title)'
  const lead =
    method === 'CANCEL'
      ? `${who} has cancelled "${summary}".`
      : words.update
        ? `${who} has updated the invitation to "${summary}".`
        : `${who} invites you to "${summary}".`
  const rows: [string, string][] = [['When', describeWhen(event)]]
  const recurrence = describeRecurrence(event)
  if (recurrence) rows.push(['Repeats', recurrence])
  const changed = Object.values(event.instances).filter((i) => i.status !== 'CANCELLED').length
  const cancelled = Object.values(event.instances).filter((i) => i.status === 'CANCELLED').length + event.exdates.length
  if (recurrence && (changed || cancelled)) {
    rows.push(['Exceptions', [changed && `${changed} changed`, cancelled && `${cancelled} cancelled`].filter(Boolean).join(', ') + ' (see your calendar)'])
  }
  if (event.location) rows.push(['Where', oneLine(event.location, 1000)])
  rows.push(['Organizer', who])
  return {
    lead,
    rows,
    description: event.description?.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim() || null,
    eventUrl: isWebLink(words.eventUrl) ? words.eventUrl : isWebLink(event.url) ? event.url : null,
    organizer: who,
    method,
  }
}

function footerOf(f: Facts, recipient: RecipientWords): { sentence: string; unsubscribeUrl: string | null } {
  const email = oneLine(recipient.email, 254)
  return {
    sentence:
      f.method === 'CANCEL'
        ? `This cancellation was sent to ${email} because you were invited to this event.`
        : `This invitation was sent to ${email}. Answer with Yes, No or Maybe in your calendar; this server records your answer for ${f.organizer}.`,
    unsubscribeUrl: isWebLink(recipient.unsubscribeUrl) ? recipient.unsubscribeUrl : null,
  }
}

export interface InvitationBodies {
  subject: string
  /** The plain-text body: the same head for everyone (ends with a line break), then the recipient's footer. */
  textHead: string
  textFooter(recipient: RecipientWords): string
  /** The HTML body, in the same two pieces. */
  htmlHead: string
  htmlFooter(recipient: RecipientWords): string
}

/** A whole body for one recipient. */
export const textBody = (b: InvitationBodies, r: RecipientWords) => b.textHead + b.textFooter(r)
export const htmlBody = (b: InvitationBodies, r: RecipientWords) => b.htmlHead + b.htmlFooter(r)

/**
 * Subject and bodies of an invitation. Only the footer (the recipient's address and
 * unsubscribe link) differs between recipients; the rest is written once.
 */
export function invitationBodies(words: InvitationWords): InvitationBodies {
  const f = factsOf(words)
  const width = Math.max(...f.rows.map(([label]) => label.length))
  const textLines = [f.lead, '', ...f.rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`)]
  if (f.description) textLines.push('', f.description)
  if (f.eventUrl) textLines.push('', `Event page: ${f.eventUrl}`)
  textLines.push('', '--', '')

  const rows = f.rows.map(([label, value]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')
  const htmlParts = ['<!doctype html>', '<html><body style="font-family:sans-serif">', `<p>${escapeHtml(f.lead)}</p>`, `<table>\n${rows}\n</table>`]
  if (f.description) htmlParts.push(`<p>${escapeHtml(f.description).replace(/\n/g, '<br>\n')}</p>`)
  if (f.eventUrl) htmlParts.push(`<p><a href="${escapeHtml(f.eventUrl)}">Event page</a></p>`)
  htmlParts.push('<hr><p style="color:#666;font-size:12px">', '')

  return {
    subject: subjectOf(words),
    textHead: textLines.join('\n'),
    textFooter(recipient) {
      const footer = footerOf(f, recipient)
      return `${footer.sentence}\n${footer.unsubscribeUrl ? `To receive no more invitations from this server: ${footer.unsubscribeUrl}\n` : ''}`
    },
    htmlHead: htmlParts.join('\n'),
    htmlFooter(recipient) {
      const footer = footerOf(f, recipient)
      const unsubscribe = footer.unsubscribeUrl ? `<br>\n<a href="${escapeHtml(footer.unsubscribeUrl)}">Receive no more invitations from this server</a>` : ''
      return `${escapeHtml(footer.sentence)}${unsubscribe}\n</p>\n</body></html>\n`
    },
  }
}
