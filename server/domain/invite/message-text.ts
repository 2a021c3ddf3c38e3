/**
 * What an invitation says about its event, as the values its templates are filled with
 * (the subject, plain-text and HTML bodies are the templates', server/templates/).
 * Everything the organizer wrote is user data: one line wherever a single line is meant
 * (so it cannot start a header of its own in a subject), HTML-escaped when it fills an HTML
 * body. Times are shown in the event's zone when it is known, with the zone's name.
 */
import type { EventState } from '../itip/event-state'
import type { InvitationAttendeePlaceholder, InvitationVersionPlaceholder } from '../../templates/mail'
import type { InvitationMethod } from './build-invitation'
import { isKnownZone } from './vtimezone'
import type { WebAnswer } from '../../../shared/schemas/invite-requests'

/** One line of text safe for a header or a display name: no control or line-separator characters. */
export function oneLine(value: string | null | undefined, max = 200): string {
  const line = (value ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim()
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line
}

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

/** Who one message of an invitation goes to. */
export interface RecipientWords {
  email: string
  name?: string | null
  unsubscribeUrl?: string
  /** The attendee's web answer links (not for a cancellation). */
  answerUrls?: Record<WebAnswer, string>
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

/**
 * The values an invitation's templates (server/templates/, `invitation`) are filled with
 * that are the same for every recipient of one version of an event. Only `invited`,
 * `updated` and `cancelled` are words of the server's; the rest is what the event says.
 */
export function invitationValues(words: InvitationWords): Record<InvitationVersionPlaceholder, string> {
  const { event, method } = words
  const who = organizerName(event)
  const when = describeWhen(event)
  const repeats = describeRecurrence(event) ?? ''
  const changed = Object.values(event.instances).filter((i) => i.status !== 'CANCELLED').length
  const cancelled = Object.values(event.instances).filter((i) => i.status === 'CANCELLED').length + event.exdates.length
  const exceptions =
    repeats && (changed || cancelled) ? [changed && `${changed} changed`, cancelled && `${cancelled} cancelled`].filter(Boolean).join(', ') + ' (see your calendar)' : ''
  const where = oneLine(event.location, 1000)
  const rows: [label: string, value: string][] = [['When', when]]
  if (repeats) rows.push(['Repeats', repeats])
  if (exceptions) rows.push(['Exceptions', exceptions])
  if (where) rows.push(['Where', where])
  rows.push(['Organizer', who])
  const width = Math.max(...rows.map(([label]) => label.length))
  const eventPageUrl = isWebLink(words.eventUrl) ? words.eventUrl : isWebLink(event.url) ? event.url : ''
  const yes = (condition: boolean) => (condition ? 'yes' : '')
  return {
    invited: yes(method !== 'CANCEL' && !words.update),
    updated: yes(method !== 'CANCEL' && Boolean(words.update)),
    cancelled: yes(method === 'CANCEL'),
    summary: oneLine(event.summary, 1000) || '(no title)',
    organizerName: who,
    when,
    repeats,
    exceptions,
    where,
    details: rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`).join('\n'),
    description: event.description?.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim() ?? '',
    eventPageUrl,
  }
}

/** The values of an invitation that differ between its recipients. */
export function attendeeValues(recipient: RecipientWords): Record<InvitationAttendeePlaceholder, string> {
  return {
    attendeeEmail: oneLine(recipient.email, 254),
    attendeeName: oneLine(recipient.name),
    unsubscribeUrl: isWebLink(recipient.unsubscribeUrl) ? recipient.unsubscribeUrl : '',
    ...answerLinks(recipient.answerUrls),
  }
}

/** All three answer links, or none: a template shows them together. */
function answerLinks(urls: RecipientWords['answerUrls']): Record<'answerYesUrl' | 'answerMaybeUrl' | 'answerNoUrl', string> {
  const complete = urls && isWebLink(urls.ACCEPTED) && isWebLink(urls.TENTATIVE) && isWebLink(urls.DECLINED)
  return complete
    ? { answerYesUrl: urls.ACCEPTED, answerMaybeUrl: urls.TENTATIVE, answerNoUrl: urls.DECLINED }
    : { answerYesUrl: '', answerMaybeUrl: '', answerNoUrl: '' }
}
