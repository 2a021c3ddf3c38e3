/**
 * The iTIP rules (RFC 5546) as pure decisions: given a scheduling
 * message, what the server knows, and who sent it, what changes. No storage here; the
 * service applies a decision with conditional writes and retries on a concurrent change.
 */
import type { EventComponent, PartstatValue, SchedulingMessage, Attendee } from '../scheduling'
import {
  compareVersion,
  instanceOf,
  type AttendeeState,
  type EventState,
  type InstanceState,
} from './event-state'
import { domainOf } from '../mail/address'

export interface Sender {
  /** The From address, lower-cased. */
  email: string | null
  /** SES's verdicts confirm the From domain: DMARC pass, or SPF pass for its organisational domain (domain/mail/receipt.ts). */
  verified: boolean
}

export interface Policy {
  requireVerifiedSender: boolean
  /** Empty: any domain. */
  allowedOrganizerDomains: string[]
  /** The server's own mailboxes: never stored as attendees. */
  serverAddresses: string[]
}

export type Rejection = { outcome: 'rejected' | 'ignored'; reason: string }

export type OrganizerDecision =
  | Rejection
  | {
      outcome: 'created' | 'updated' | 'cancelled'
      reason: string
      event: EventState
      /** Attendees the organizer's message names (server mailboxes left out). */
      invitees: Attendee[]
      /**
       * SEQUENCE went up on the event: everyone who answered an earlier version must be
       * asked again. Null when nobody is re-asked.
       */
      reaskBelowSequence: number | null
    }

export type ReplyDecision =
  | Rejection
  | {
      outcome: 'reply'
      reason: string
      attendee: AttendeeState
      /** The attendee's partstat for the event as a whole before and after (null: not counted before). */
      previous: AttendeeState | null
    }


/** Only the expected sender (the ORGANIZER, or the replying ATTENDEE) may speak, and only verified if the policy asks. */
function checkSender(sender: Sender, expected: string, role: string, policy: Policy): Rejection | null {
  if (!sender.email) return { outcome: 'rejected', reason: `The message has no sender address, so it cannot come from the ${role}.` }
  if (sender.email !== expected) {
    return { outcome: 'rejected', reason: `The message was sent by ${sender.email}, but only the ${role} (${expected}) may send it.` }
  }
  if (policy.requireVerifiedSender && !sender.verified) {
    return {
      outcome: 'rejected',
      reason: `The message claims to come from ${sender.email}, but the receiving mail server could not confirm it was sent by ${domainOf(sender.email)}: no DMARC pass, nor an SPF pass for that domain.`,
    }
  }
  return null
}

/** Why a message without a usable DTSTART is refused: missing, or there but unreadable. */
function noStart(what: string, message: SchedulingMessage): string {
  const unreadable = message.warnings.find((w) => w.startsWith('The DTSTART value'))
  return unreadable ? `The ${what} has no start time that can be read: ${unreadable.replace(/ and was ignored\.$/, '.')}` : `The ${what} has no start time (DTSTART).`
}

const describeVersion = (c: { sequence: number; dtstamp: string | null }) => `SEQUENCE ${c.sequence}${c.dtstamp ? `, DTSTAMP ${c.dtstamp}` : ''}`

function stateFromMaster(master: EventComponent, message: SchedulingMessage, overrides: EventComponent[]): EventState {
  return {
    uid: master.uid,
    organizer: master.organizer!,
    summary: master.summary ?? '',
    description: master.description,
    location: master.location,
    url: master.url,
    start: master.start!,
    end: master.end,
    allDay: master.allDay,
    timezone: master.timezone,
    tzid: master.tzid,
    startLocal: master.startLocal,
    vtimezone: master.vtimezone,
    transp: master.transp,
    rrule: master.rrule,
    exdates: master.exdates,
    rdates: master.rdates,
    status: master.status ?? 'CONFIRMED',
    sequence: master.sequence,
    dtstamp: master.dtstamp ?? '',
    prodid: message.prodid,
    instances: Object.fromEntries(overrides.map((o) => [o.recurrenceId!, instanceOf(o)])),
  }
}

/** The stored version an override is compared with: its own, or the series' when new. */
const storedVersionOf = (event: EventState, recurrenceId: string) => event.instances[recurrenceId] ?? event

/** RRULE ending just before `recurrenceId` (CANCEL with RANGE=THISANDFUTURE). */
export function endSeriesBefore(rrule: string, recurrenceId: string): string {
  const until = recurrenceId.length === 10 ? recurrenceId.replace(/-/g, '') : new Date(Date.parse(recurrenceId) - 1000).toISOString().replace(/[-:]|\.\d{3}/g, '')
  const parts = rrule.split(';').filter((part) => !/^(UNTIL|COUNT)=/i.test(part))
  return [...parts, `UNTIL=${until}`].join(';')
}

function invitees(message: SchedulingMessage, policy: Policy): Attendee[] {
  const unique = new Map<string, Attendee>()
  for (const component of [message.master, ...message.overrides]) {
    for (const attendee of component?.attendees ?? []) {
      if (!policy.serverAddresses.includes(attendee.email) && !unique.has(attendee.email)) unique.set(attendee.email, attendee)
    }
  }
  return [...unique.values()]
}

/** REQUEST and CANCEL from the organizer: a new UID creates the event; a known one changes only when newer. */
export function decideOrganizerMessage(
  message: SchedulingMessage,
  current: EventState | null,
  sender: Sender,
  policy: Policy,
): OrganizerDecision {
  const lead = message.master ?? message.overrides[0]!
  const organizer = lead.organizer
  const uid = lead.uid
  if (!organizer) return { outcome: 'rejected', reason: `The ${message.method} has no ORGANIZER, so nobody can be trusted to change the event.` }
  const senderProblem = checkSender(sender, organizer.email, 'organizer', policy)
  if (senderProblem) return senderProblem
  if (current && current.organizer.email !== organizer.email) {
    // The reason reaches the sender: it never names the other organizer, so UIDs cannot be probed by mail.
    return { outcome: 'rejected', reason: `This UID belongs to another organizer's event; a message from ${organizer.email} cannot change it.` }
  }
  const domain = domainOf(organizer.email)
  if (policy.allowedOrganizerDomains.length && !policy.allowedOrganizerDomains.includes(domain)) {
    return { outcome: 'rejected', reason: `Organizers from ${domain} may not manage events on this server.` }
  }

  if (message.method === 'CANCEL') return decideCancel(message, current)
  if (message.method !== 'REQUEST') return { outcome: 'ignored', reason: `${message.method} from the organizer changes nothing here.` }

  const people = invitees(message, policy)
  const master = message.master
  if (!current) {
    if (!master) {
      return {
        outcome: 'ignored',
        reason: `This updates single occurrences of an event the server does not know (${uid}); send the whole event to create it.`,
      }
    }
    if (!master.start) return { outcome: 'rejected', reason: noStart('invitation', message) }
    return {
      outcome: 'created',
      reason: `Created "${master.summary ?? uid}".`,
      event: stateFromMaster(master, message, message.overrides),
      invitees: people,
      reaskBelowSequence: null,
    }
  }

  if (master) {
    // A master replaces the whole set of instances.
    const order = compareVersion(master, current)
    if (order === 'stale') {
      return { outcome: 'ignored', reason: `Stale update (${describeVersion(master)}); the server already has ${describeVersion(current)}.` }
    }
    if (order === 'same' && current.status !== 'CANCELLED') {
      return { outcome: 'ignored', reason: `Already applied (${describeVersion(master)}).` }
    }
    if (!master.start) return { outcome: 'rejected', reason: noStart('update', message) }
    return {
      outcome: 'updated',
      reason: `Updated "${master.summary ?? uid}" to ${describeVersion(master)}.`,
      event: stateFromMaster(master, message, message.overrides),
      invitees: people,
      reaskBelowSequence: master.sequence > current.sequence ? master.sequence : null,
    }
  }

  // Only RECURRENCE-ID overrides (matched by absolute time): change just those instances.
  const instances = { ...current.instances }
  const applied: string[] = []
  for (const override of message.overrides) {
    const rid = override.recurrenceId!
    if (compareVersion(override, storedVersionOf(current, rid)) === 'stale') continue
    if (instances[rid] && compareVersion(override, instances[rid]!) === 'same') continue
    instances[rid] = instanceOf(override)
    applied.push(rid)
  }
  if (!applied.length) return { outcome: 'ignored', reason: 'Stale or already applied update of single occurrences.' }
  const raised = Math.max(...message.overrides.map((o) => o.sequence)) > current.sequence
  return {
    outcome: 'updated',
    reason: `Updated occurrence${applied.length > 1 ? 's' : ''} ${applied.join(', ')}.`,
    event: { ...current, instances, prodid: message.prodid ?? current.prodid },
    invitees: people,
    reaskBelowSequence: raised ? Math.max(...message.overrides.map((o) => o.sequence)) : null,
  }
}

function decideCancel(message: SchedulingMessage, current: EventState | null): OrganizerDecision {
  const lead = message.master ?? message.overrides[0]!
  if (!current) return { outcome: 'ignored', reason: `Cancellation of an event the server does not know (${lead.uid}); nothing to do.` }
  if (message.master) {
    const order = compareVersion(message.master, current)
    if (order === 'stale') return { outcome: 'ignored', reason: `Stale cancellation (${describeVersion(message.master)}); the server already has ${describeVersion(current)}.` }
    if (current.status === 'CANCELLED') return { outcome: 'ignored', reason: 'The event is already cancelled.' }
    return {
      outcome: 'cancelled',
      reason: 'Cancelled the event and every occurrence.',
      event: {
        ...current,
        status: 'CANCELLED',
        sequence: Math.max(current.sequence, message.master.sequence),
        dtstamp: message.master.dtstamp ?? current.dtstamp,
      },
      invitees: [],
      reaskBelowSequence: null,
    }
  }
  if (current.status === 'CANCELLED') return { outcome: 'ignored', reason: 'The whole event is already cancelled.' }
  // With a RECURRENCE-ID: one occurrence, or with RANGE=THISANDFUTURE this and every later one.
  let event: EventState = { ...current, instances: { ...current.instances } }
  const done: string[] = []
  for (const override of message.overrides) {
    const rid = override.recurrenceId!
    if (compareVersion(override, storedVersionOf(current, rid)) === 'stale') continue
    if (override.thisAndFuture && event.rrule) {
      event = { ...event, rrule: endSeriesBefore(event.rrule, rid) }
      for (const later of Object.keys(event.instances)) if (later >= rid) delete event.instances[later]
      done.push(`${rid} and later`)
    } else {
      if (event.instances[rid]?.status === 'CANCELLED') continue
      const cancelled: InstanceState = { ...(event.instances[rid] ?? instanceOf(override)), status: 'CANCELLED', sequence: override.sequence, dtstamp: override.dtstamp }
      event.instances[rid] = cancelled
      done.push(rid)
    }
  }
  if (!done.length) return { outcome: 'ignored', reason: 'Stale or repeated cancellation of single occurrences.' }
  return { outcome: 'cancelled', reason: `Cancelled occurrence ${done.join(', ')}.`, event, invitees: [], reaskBelowSequence: null }
}

/**
 * Merges the organizer's attendee list into what the server knows: new people join with
 * the PARTSTAT the organizer's client sent; known people keep their replies unless
 * the event's SEQUENCE went up: then everyone but the organizer whose answer was
 * for an earlier version is asked again. An answer already given to the new version (a reply
 * that overtook the update) stands.
 */
export function mergeAttendees(
  stored: AttendeeState[],
  named: Attendee[],
  reaskBelowSequence: number | null,
  organizerEmail: string,
  /** With a re-ask: the SEQUENCE of the invitations the server now sends (answers to its own below it are re-asked). */
  reaskInviteBelow: number | null = reaskBelowSequence,
): AttendeeState[] {
  const byEmail = new Map(stored.map((a) => [a.email, a]))
  for (const person of named) {
    const known = byEmail.get(person.email)
    if (!known) {
      byEmail.set(person.email, {
        email: person.email,
        name: person.name,
        partstat: person.partstat,
        instancePartstats: {},
        role: person.role,
        source: 'organizer',
        history: [],
        repliedAt: null,
        lastReplyStamp: null,
        replySequence: null,
      })
    } else if (known.source === 'shared') {
      // The organizer has now invited someone who answered a forwarded invite.
      byEmail.set(person.email, { ...known, source: 'organizer', name: known.name ?? person.name })
    }
  }
  if (reaskBelowSequence === null) return [...byEmail.values()]
  return [...byEmail.values()].map((attendee) => {
    const below = attendee.answeredServerInvite ? (reaskInviteBelow ?? reaskBelowSequence) : reaskBelowSequence
    return attendee.email === organizerEmail || attendee.source === 'shared' || (attendee.replySequence ?? -1) >= below
      ? attendee
      : { ...attendee, partstat: 'NEEDS-ACTION' as PartstatValue, instancePartstats: {} }
  })
}

/** REPLY from an attendee: one ATTENDEE, who must be the sender; only their answer changes. */
export function decideReply(
  message: SchedulingMessage,
  current: EventState | null,
  stored: AttendeeState | null,
  sender: Sender,
  policy: Policy,
  context: { receivedAt: string; mailKey?: string; inviteSequence?: number },
): ReplyDecision {
  const lead = message.master ?? message.overrides[0]!
  const replying = [...new Map([message.master, ...message.overrides].flatMap((c) => c?.attendees ?? []).map((a) => [a.email, a])).values()]
  if (replying.length === 0) return { outcome: 'rejected', reason: 'The reply names no ATTENDEE, so it is not clear who is answering.' }
  if (replying.length > 1) return { outcome: 'rejected', reason: `The reply names ${replying.length} attendees; a reply answers for exactly one.` }
  const answer = replying[0]!
  const senderProblem = checkSender(sender, answer.email, 'attendee it answers for', policy)
  if (senderProblem) return senderProblem
  if (!current) return { outcome: 'ignored', reason: `Reply from ${answer.email} for an event the server does not know (${lead.uid}).` }
  if (current.status === 'CANCELLED') return { outcome: 'ignored', reason: `Reply from ${answer.email} for a cancelled event.` }
  // A reply to an invitation this server sent counts in the server's SEQUENCE numbering.
  const toServer = !!lead.organizer && policy.serverAddresses.includes(lead.organizer.email.toLowerCase())
  const version = toServer ? Math.max(context.inviteSequence ?? current.sequence, current.sequence) : current.sequence
  if (lead.sequence < version) {
    return { outcome: 'ignored', reason: `Reply from ${answer.email} answers an earlier version (SEQUENCE ${lead.sequence}; the event is at ${version}).` }
  }
  const stamp = lead.dtstamp
  if (stored?.lastReplyStamp && stamp && stamp < stored.lastReplyStamp) {
    return { outcome: 'ignored', reason: `Older reply from ${answer.email} arrived after a newer one; kept the newer answer.` }
  }

  if (stored && stamp && stored.lastReplyStamp === stamp && message.master && stored.partstat === answer.partstat) {
    return { outcome: 'ignored', reason: `Reply from ${answer.email} was already recorded.` }
  }

  const base: AttendeeState =
    stored ??
    ({
      email: answer.email,
      name: answer.name,
      partstat: 'NEEDS-ACTION',
      instancePartstats: {},
      role: null,
      // Our rule: a reply from someone never invited (a forwarded invite) is kept as "shared".
      source: 'shared',
      history: [],
      repliedAt: null,
      lastReplyStamp: null,
      replySequence: null,
    } satisfies AttendeeState)
  const next: AttendeeState = {
    ...base,
    name: base.name ?? answer.name,
    instancePartstats: { ...base.instancePartstats },
    history: [...base.history],
    repliedAt: context.receivedAt,
    lastReplyStamp: stamp ?? base.lastReplyStamp,
    replySequence: lead.sequence,
    answeredServerInvite: toServer,
  }
  const answered: string[] = []
  if (message.master) {
    next.partstat = answer.partstat
    answered.push('the event')
  }
  for (const override of message.overrides) {
    const own = override.attendees.find((a) => a.email === answer.email)
    next.instancePartstats[override.recurrenceId!] = own?.partstat ?? answer.partstat
    answered.push(override.recurrenceId!)
  }
  for (const component of [message.master, ...message.overrides]) {
    if (!component) continue
    const own = component.attendees.find((a) => a.email === answer.email)
    next.history.push({
      partstat: own?.partstat ?? answer.partstat,
      at: context.receivedAt,
      ...(component.recurrenceId ? { recurrenceId: component.recurrenceId } : {}),
      ...(message.prodid ? { prodid: message.prodid } : {}),
      ...(context.mailKey ? { mailKey: context.mailKey } : {}),
    })
  }
  const who = stored ? answer.email : `${answer.email} (not invited: recorded as shared)`
  return { outcome: 'reply', reason: `${who} answered ${answer.partstat} for ${answered.join(', ')}.`, attendee: next, previous: stored }
}

/** REFRESH: a known attendee asks for the current invitation again; only they get it. */
export function decideRefresh(
  message: SchedulingMessage,
  current: EventState | null,
  stored: AttendeeState | null,
  sender: Sender,
  policy: Policy,
): Rejection | { outcome: 'refreshed'; reason: string; recipient: AttendeeState; event: EventState } {
  const lead = message.master ?? message.overrides[0]!
  const asking = lead.attendees[0]
  if (!asking) return { outcome: 'rejected', reason: 'The refresh request names no ATTENDEE, so it is not clear who asks.' }
  const senderProblem = checkSender(sender, asking.email, 'attendee it asks for', policy)
  if (senderProblem) return senderProblem
  if (!current) return { outcome: 'ignored', reason: `Refresh request for an event the server does not know (${lead.uid}).` }
  if (!stored || stored.source === 'shared') {
    return { outcome: 'rejected', reason: `${asking.email} is not invited to this event, so the invitation is not sent to them.` }
  }
  return { outcome: 'refreshed', reason: `Sent the current invitation to ${asking.email} again.`, recipient: stored, event: current }
}
