/**
 * What the dashboard shows about an event's answers: by PARTSTAT, by calendar client, by
 * how invitations came about, answers per day, and how far this server's invitations got.
 * Computed over the full attendee list; people who answered a forwarded invite (shared)
 * are counted apart, never as an answer, exactly as in the event's counts (countAttendees).
 */
import type { AttendeeState } from '../itip/event-state'
import { PARTSTAT_VALUES, type PartstatValue } from '../scheduling'
import type { InviteOrigin, InviteStatus } from '../../../shared/schemas/invites'
import type { AnswersOnDay, Breakdowns, InvitationFunnel } from '../../../shared/schemas/events'

export type { AnswersOnDay, Breakdowns, InvitationFunnel }

/** What the breakdowns read of one of this server's invitations. */
export interface InvitationOutcome {
  email: string
  origin: InviteOrigin
  status: InviteStatus
  /** When SES last accepted a message of this invitation; null while none was sent. */
  sentAt: string | null
}

type AttendeeFacts = Pick<AttendeeState, 'email' | 'partstat' | 'history' | 'source'>

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

/**
 * How far this server's invitations got, each step a part of the one before:
 * - invited: every invitation this server holds for the event (queued, sent or not sent);
 * - sent: SES accepted at least one message of it (it has a `sentAt`);
 * - delivered: sent, and not marked undeliverable since. SES reports bounces, complaints
 *   and rejections here, never each delivery, so this counts "sent and no permanent bounce
 *   or spam complaint came back" (those mark the invitation `suppressed`); a rejection is
 *   not recorded on the invitation, so it still counts as delivered;
 * - answered: delivered, and its attendee replied at least once (by mail or on the web).
 * The organizer's own guests (mailed by their calendar, not by this server) are not in it.
 */
export function invitationFunnel(invitations: InvitationOutcome[], attendees: AttendeeFacts[]): InvitationFunnel {
  const replied = new Set(attendees.filter((attendee) => attendee.history.length > 0).map((attendee) => attendee.email.toLowerCase()))
  const sent = invitations.filter((invitation) => invitation.sentAt !== null)
  const delivered = sent.filter((invitation) => invitation.status !== 'suppressed')
  const answered = delivered.filter((invitation) => replied.has(invitation.email.toLowerCase()))
  return { invited: invitations.length, sent: sent.length, delivered: delivered.length, answered: answered.length }
}

export function eventBreakdowns(attendees: AttendeeFacts[], invitations: InvitationOutcome[]): Breakdowns {
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
  for (const { origin } of invitations) originCounts[origin] = (originCounts[origin] ?? 0) + 1
  const answersOverTime = [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, counts]) => ({ day, answers: counts }))
  return { answers, shared, clients, origins: originCounts, answersOverTime, funnel: invitationFunnel(invitations, attendees) }
}
