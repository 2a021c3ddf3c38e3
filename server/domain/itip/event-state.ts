/**
 * What the server keeps about an event and its attendees, as plain data. The storage layer
 * maps these to table items; the iTIP rules read and produce them.
 */
import type { Attendee, EventComponent, PartstatValue, Person } from '../scheduling'
import type { AttendeeSource } from '../../../shared/vocabulary'
import type { Counts } from '../../../shared/schemas/events'

type Status = NonNullable<EventComponent['status']>

/** One overridden or cancelled occurrence of a series, keyed by its RECURRENCE-ID. */
export interface InstanceState extends Pick<EventComponent, 'start' | 'end' | 'sequence' | 'dtstamp' | 'summary' | 'location'> {
  recurrenceId: string
  status: Status
}

/**
 * A stored event: the message's fields as they were last applied, with the ones an event
 * cannot lack made definite (organizer, summary, start, status, DTSTAMP).
 */
export interface EventState
  extends Pick<
    EventComponent,
    'uid' | 'description' | 'location' | 'url' | 'end' | 'allDay' | 'timezone' | 'tzid' | 'startLocal' | 'vtimezone' | 'rrule' | 'exdates' | 'rdates' | 'sequence' | 'transp'
  > {
  organizer: Person
  summary: string
  start: string
  status: Status
  dtstamp: string
  prodid: string | null
  instances: Record<string, InstanceState>
}

export interface HistoryEntry {
  partstat: PartstatValue
  at: string
  recurrenceId?: string
  prodid?: string
  mailKey?: string
}

export interface AttendeeState {
  email: string
  name: string | null
  partstat: PartstatValue
  instancePartstats: Record<string, PartstatValue>
  role: string | null
  source: AttendeeSource
  history: HistoryEntry[]
  repliedAt: string | null
  /** DTSTAMP of the reply last applied, so an older reply arriving late changes nothing. */
  lastReplyStamp: string | null
  /** The event SEQUENCE that reply answered: a later re-ask resets only older answers. */
  replySequence: number | null
  /**
   * The reply answered an invitation this server sent, so `replySequence` counts in the
   * server's numbering (the event's inviteSequence, which runs ahead of the organizer's
   * when minor updates were sent on), not the organizer's.
   */
  answeredServerInvite?: boolean
}

export type { Counts }

export const emptyCounts = (): Counts => ({ accepted: 0, declined: 0, tentative: 0, needsAction: 0, delegated: 0, shared: 0 })

const COUNT_OF: Record<PartstatValue, keyof Counts> = {
  ACCEPTED: 'accepted',
  DECLINED: 'declined',
  TENTATIVE: 'tentative',
  'NEEDS-ACTION': 'needsAction',
  DELEGATED: 'delegated',
}

/** Counts over the whole attendee list; people who answered a forwarded invite count only as shared. */
export function countAttendees(attendees: AttendeeState[]): Counts {
  const counts = emptyCounts()
  for (const attendee of attendees) {
    if (attendee.source === 'shared') counts.shared++
    else counts[COUNT_OF[attendee.partstat]]++
  }
  return counts
}

export const countKeyOf = (partstat: PartstatValue): keyof Counts => COUNT_OF[partstat]

/** The (SEQUENCE, DTSTAMP) pair that orders versions of an event or instance. */
export interface Version {
  sequence: number
  dtstamp: string | null
}

/**
 * A message is newer when its SEQUENCE is higher, or equal with a DTSTAMP at least as new.
 * Returns 'newer', 'same' (identical version: a redelivery) or 'stale'.
 */
export function compareVersion(incoming: Version, stored: Version): 'newer' | 'same' | 'stale' {
  if (incoming.sequence > stored.sequence) return 'newer'
  if (incoming.sequence < stored.sequence) return 'stale'
  const a = incoming.dtstamp ?? ''
  const b = stored.dtstamp ?? ''
  if (a === b) return 'same'
  return a > b ? 'newer' : 'stale'
}

export function instanceOf(component: EventComponent): InstanceState {
  return {
    recurrenceId: component.recurrenceId!,
    start: component.start,
    end: component.end,
    status: component.status ?? 'CONFIRMED',
    sequence: component.sequence,
    dtstamp: component.dtstamp,
    summary: component.summary,
    location: component.location,
  }
}

export type { Attendee }

/**
 * What the table can hold of one event: an item is at most 400 KB (DynamoDB), and the
 * event's item carries its text, its overrides and its VTIMEZONE. These limits leave room
 * for the counts and keys beside them, and are stated so the organizer can act on them.
 * `timeValues` (EXDATE and RDATE values together) is checked when a calendar is read, before
 * the work of reading them: ten thousand already fill most of an item.
 */
export const STORAGE_LIMITS = { overrides: 1000, textBytes: 64 * 1024, itemBytes: 300 * 1024, timeValues: 10_000 } as const

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`

/** Why an event cannot be stored, in a sentence; null when it can. */
export function storageProblem(event: EventState): string | null {
  const overrides = Object.keys(event.instances).length
  if (overrides > STORAGE_LIMITS.overrides) {
    return `The event has ${overrides} changed or cancelled occurrences; the server keeps at most ${STORAGE_LIMITS.overrides} per event.`
  }
  for (const [name, value] of [['description', event.description], ['summary', event.summary], ['location', event.location]] as const) {
    const bytes = Buffer.byteLength(value ?? '', 'utf8')
    if (bytes > STORAGE_LIMITS.textBytes) return `The event's ${name} is ${kib(bytes)}; the server keeps at most ${kib(STORAGE_LIMITS.textBytes)}.`
  }
  const bytes = Buffer.byteLength(JSON.stringify(event), 'utf8')
  if (bytes > STORAGE_LIMITS.itemBytes) return `The event is ${kib(bytes)} as stored; the server keeps at most ${kib(STORAGE_LIMITS.itemBytes)} per event.`
  return null
}

