/**
 * What the dashboard shows about an event's answers: by PARTSTAT, by calendar client, by
 * how invitations came about, and answers per day. Computed over the full attendee list;
 * people who answered a forwarded invite (shared) are counted apart, never as an answer,
 * exactly as in the event's counts (countAttendees).
 */
import type { AttendeeState } from '../itip/event-state'
import { PARTSTAT_VALUES, type PartstatValue } from '../scheduling'
import type { InviteOrigin } from '../../../shared/schemas/invites'
import type { AnswersOnDay, Breakdowns } from '../../../shared/schemas/events'

export type { AnswersOnDay, Breakdowns }

const zeroAnswers = () => Object.fromEntries(PARTSTAT_VALUES.map((value) => [value, 0])) as Record<PartstatValue, number>

const CLIENTS: [RegExp, string][] = [
  // The invitation's own Yes / Maybe / No links (itip/web-answer.ts).
  [/^-\/\/Calendar Invite Server\/\/Web answer\/\//i, 'Web'],
  [/google/i, 'Google Calendar'],
  [/microsoft|outlook|exchange/i, 'Outlook'],
  [/apple|icloud|ical\b|macos|ios/i, 'Apple Calendar'],
  [/mozilla|thunderbird|lightning/i, 'Thunderbird'],
  [/zoho/i, 'Zoho Calendar'],
  [/yahoo/i, 'Yahoo Calendar'],
  [/fastmail/i, 'Fastmail'],
  [/proton/i, 'Proton Calendar'],
]

/** A person-readable name for a PRODID (`-//Google Inc//Google Calendar 70.9054//EN` → Google Calendar). */
export function clientOf(prodid: string | null | undefined): string {
  const text = (prodid ?? '').trim()
  if (!text) return 'unknown'
  for (const [pattern, name] of CLIENTS) if (pattern.test(text)) return name
  // `-//Vendor//Product//EN`: the product part says most.
  const parts = text.split('//').filter((part) => part && part !== '-' && !/^[A-Z]{2}$/.test(part))
  return (parts[1] ?? parts[0] ?? text).replace(/^-\/\//, '').trim().slice(0, 80) || 'unknown'
}

/** The PRODID of an attendee's last reply that carried one. */
export function lastClientOf(attendee: Pick<AttendeeState, 'history'>): string | null {
  for (let index = attendee.history.length - 1; index >= 0; index--) {
    const prodid = attendee.history[index]!.prodid
    if (prodid) return clientOf(prodid)
  }
  return null
}

export function eventBreakdowns(attendees: Pick<AttendeeState, 'partstat' | 'history' | 'source'>[], origins: InviteOrigin[]): Breakdowns {
  const answers = zeroAnswers()
  let shared = 0
  const clients: Record<string, number> = {}
  const byDay = new Map<string, Record<PartstatValue, number>>()
  for (const attendee of attendees) {
    const client = lastClientOf(attendee)
    if (client) clients[client] = (clients[client] ?? 0) + 1
    if (attendee.source === 'shared') {
      shared++
      continue
    }
    answers[attendee.partstat] = (answers[attendee.partstat] ?? 0) + 1
    for (const entry of attendee.history) {
      const day = entry.at.slice(0, 10)
      const bucket = byDay.get(day) ?? zeroAnswers()
      bucket[entry.partstat] = (bucket[entry.partstat] ?? 0) + 1
      byDay.set(day, bucket)
    }
  }
  const originCounts: Partial<Record<InviteOrigin, number>> = {}
  for (const origin of origins) originCounts[origin] = (originCounts[origin] ?? 0) + 1
  const answersOverTime = [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, counts]) => ({ day, answers: counts }))
  return { answers, shared, clients, origins: originCounts, answersOverTime }
}
