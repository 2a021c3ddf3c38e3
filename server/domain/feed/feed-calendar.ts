/**
 * The calendar of a public feed (an organizer's or a domain's listed upcoming events), the
 * text a calendar client subscribes to:
 * - METHOD:PUBLISH, the feed's name as NAME and X-WR-CALNAME, a refresh hint;
 * - each event with its own UID and the SEQUENCE its invitations carry, so an entry a
 *   subscriber also got by invitation (or by the `.ics` download) is the same entry, and
 *   a later update or cancellation lands on it;
 * - the full series (RRULE, EXDATE, RDATE, one VEVENT with RECURRENCE-ID per changed
 *   occurrence) and one VTIMEZONE per zone used, written by the invitation's own code
 *   (invite/build-invitation.ts: addEventComponents), so a feed and an invitation never
 *   disagree about a time;
 * - a cancelled event as STATUS:CANCELLED (it stays until it is past, feed-selection.ts).
 *
 * No ATTENDEE, and no ORGANIZER: ORGANIZER's value is a mail address, and a feed is public,
 * so it would publish the organizer's address to anyone (a property with only a name is
 * not valid iCalendar). The feed's name says whose events they are.
 *
 * DTSTAMP is when the event last changed, not when the feed was asked for, so the same
 * events always give the same text and its hash can be the feed's ETag.
 */
import ical, { ICalCalendarMethod } from 'ical-generator'
import type { EventState } from '../itip/event-state'
import { addEventComponents, calendarText, type EventZone } from '../invite/build-invitation'

export const FEED_PRODID = { company: 'Calendar Invite Server', product: 'Feeds', language: 'EN' }

/** How often a subscribed client should fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
export const FEED_REFRESH_SECONDS = 3600

export interface FeedEntry {
  event: EventState
  /** The SEQUENCE the event's invitations carry (its inviteSequence). */
  sequence: number
  /** When the event last changed (ISO): its DTSTAMP in the feed. */
  changedAt: string
  /** The event's public page, the URL of an event that has no link of its own. */
  pageUrl: string | null
}

export interface FeedInfo {
  /** Whose events, as a person reads it ("Events of Pat Organizer"). */
  name: string
  /** The public page the feed belongs to. */
  url: string | null
}

/**
 * A TEXT value for the calendar's NAME and X-WR-CALNAME, which ical-generator writes as
 * given: control characters (a line break would start a property of the sender's making)
 * become spaces, and `\` `;` `,` are escaped (RFC 5545 §3.3.11).
 */
const textValue = (value: string) =>
  value
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/([\\;,])/g, '\\$1')

/** One zone's VTIMEZONE covering every event that uses it. */
function widened(known: EventZone | undefined, zone: EventZone): EventZone {
  // Two events naming the same received (non-IANA) TZID with different definitions cannot
  // both be written under one name; the first one read is kept.
  if (!known) return zone
  return { ...known, span: [Math.min(known.span[0], zone.span[0]), Math.max(known.span[1], zone.span[1])] }
}

/** The feed's iCalendar text (CRLF, folded at 75 octets), the entries in the order given. */
export function buildFeedCalendar(feed: FeedInfo, entries: FeedEntry[]): string {
  const calendar = ical({
    prodId: FEED_PRODID,
    method: ICalCalendarMethod.PUBLISH,
    name: textValue(feed.name) || 'Events',
    url: feed.url,
    ttl: FEED_REFRESH_SECONDS,
  })
  const zones = new Map<string, EventZone>()
  for (const entry of entries) {
    const { items, zone } = addEventComponents(calendar, entry.event, { sequence: entry.sequence, organizer: null, cancelled: entry.event.status === 'CANCELLED' })
    for (const item of items) {
      item.stamp(new Date(entry.changedAt))
      if (!item.url() && entry.pageUrl) item.url(entry.pageUrl)
    }
    if (zone) zones.set(zone.tzid, widened(zones.get(zone.tzid), zone))
  }
  // ical-generator asks for the VTIMEZONE of every TZID its events name.
  if (zones.size) calendar.timezone({ name: null, generator: (tzid) => { const zone = zones.get(tzid); return zone ? zone.vtimezone(...zone.span) : null } })
  return calendarText(calendar)
}
