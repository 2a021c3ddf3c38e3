/**
 * Storage of events and attendees for the iTIP rules: maps table items to the domain's
 * EventState / AttendeeState and writes decisions so that concurrent messages for one event
 * cannot lose an update. Every write to an event is conditional on the `version` read;
 * a reply bumps that version too, so an organizer's update never overwrites counts it did
 * not see. Callers retry on ConcurrentChange with fresh state.
 */
import { randomBytes } from 'node:crypto'
import { EntityRepository, QueryCommand, $add } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity, OrganizerEntity, PublicIdEntity, isConditionFailure, keys, keysStartingWith, table, domainOf } from '../aws/table'
import { countAttendees, countKeyOf, type AttendeeState, type EventState } from '../domain/itip/event-state'

const events = EventEntity.build(EntityRepository)
const attendees = AttendeeEntity.build(EntityRepository)
const organizers = OrganizerEntity.build(EntityRepository)
const publicIds = PublicIdEntity.build(EntityRepository)

/** A new public id: 96 random bits, URL-safe (16 characters). */
export const newPublicId = () => randomBytes(12).toString('base64url')

/** Another message changed the event between our read and our write. */
export class ConcurrentChange extends Error {
  constructor() {
    super('The event changed while this message was being applied.')
    this.name = 'ConcurrentChange'
  }
}

async function guarded<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (isConditionFailure(error)) throw new ConcurrentChange()
    throw error
  }
}

export interface StoredEvent {
  state: EventState
  version: number
  /** The SEQUENCE invitations sent by this server carry (see the table's inviteSequence). */
  inviteSequence: number
  invitesSent: number
  listed: boolean
  /** The id of the event's public pages; null on events stored before ids existed, until first asked for. */
  publicId: string | null
  sourceMailKey: string | null
}

type EventItem = NonNullable<Awaited<ReturnType<typeof events.get>>['Item']>
type AttendeeItem = NonNullable<Awaited<ReturnType<typeof attendees.get>>['Item']>

/** A stored event item as the domain reads it. */
export function toState(item: EventItem): EventState {
  return {
    uid: item.uid,
    organizer: { email: item.organizerEmail, name: item.organizerName ?? null },
    summary: item.summary,
    description: item.description ?? null,
    location: item.location ?? null,
    url: item.url ?? null,
    start: item.start,
    end: item.end ?? null,
    allDay: item.allDay,
    timezone: item.timezone ?? null,
    tzid: item.tzid ?? null,
    startLocal: item.startLocal ?? null,
    vtimezone: item.vtimezone ?? null,
    transp: item.transp ?? null,
    rrule: item.rrule ?? null,
    exdates: item.exdates,
    rdates: item.rdates,
    status: item.status,
    sequence: item.sequence,
    dtstamp: item.dtstamp,
    prodid: item.prodid ?? null,
    instances: item.instances as EventState['instances'],
  }
}

const toAttendee = (item: AttendeeItem): AttendeeState => ({
  email: item.email,
  name: item.name ?? null,
  partstat: item.partstat,
  instancePartstats: item.instancePartstats as AttendeeState['instancePartstats'],
  role: item.role ?? null,
  source: item.source,
  history: item.history as AttendeeState['history'],
  repliedAt: item.repliedAt ?? null,
  lastReplyStamp: item.lastReplyStamp ?? null,
  replySequence: item.replySequence ?? null,
  answeredServerInvite: item.answeredServerInvite ?? false,
})

const orUndefined = <T>(value: T | null) => value ?? undefined

function eventItem(
  state: EventState,
  version: number,
  inviteSequence: number,
  listed: boolean,
  publicId: string,
  attendeeList: AttendeeState[],
  mailKey: string | undefined,
  invitesSent: number,
) {
  return {
    inviteSequence,
    invitesSent,
    uid: state.uid,
    organizerEmail: state.organizer.email,
    organizerName: orUndefined(state.organizer.name),
    organizerDomain: domainOf(state.organizer.email),
    summary: state.summary,
    description: orUndefined(state.description),
    location: orUndefined(state.location),
    url: orUndefined(state.url),
    start: state.start,
    end: orUndefined(state.end),
    allDay: state.allDay,
    timezone: orUndefined(state.timezone),
    tzid: orUndefined(state.tzid),
    startLocal: orUndefined(state.startLocal),
    vtimezone: orUndefined(state.vtimezone),
    transp: orUndefined(state.transp),
    rrule: orUndefined(state.rrule),
    exdates: state.exdates,
    rdates: state.rdates,
    instances: state.instances,
    status: state.status,
    sequence: state.sequence,
    dtstamp: state.dtstamp,
    prodid: orUndefined(state.prodid),
    listed,
    publicId,
    counts: countAttendees(attendeeList),
    attendeeCount: attendeeList.length,
    sourceMailKey: mailKey,
    version,
  }
}

function attendeeItem(uid: string, attendee: AttendeeState) {
  return {
    eventUid: uid,
    email: attendee.email,
    name: orUndefined(attendee.name),
    partstat: attendee.partstat,
    instancePartstats: attendee.instancePartstats,
    role: orUndefined(attendee.role),
    source: attendee.source,
    history: attendee.history,
    repliedAt: orUndefined(attendee.repliedAt),
    lastReplyStamp: orUndefined(attendee.lastReplyStamp),
    replySequence: orUndefined(attendee.replySequence),
    answeredServerInvite: attendee.answeredServerInvite || undefined,
  }
}

export async function loadEvent(uid: string): Promise<StoredEvent | null> {
  const { Item } = await events.get({ uid }, { consistent: true })
  if (!Item) return null
  return {
    state: toState(Item),
    version: Item.version,
    inviteSequence: Item.inviteSequence ?? Item.sequence,
    invitesSent: Item.invitesSent ?? 0,
    listed: Item.listed,
    publicId: Item.publicId ?? null,
    sourceMailKey: Item.sourceMailKey ?? null,
  }
}

/** Every attendee of an event, page by page. */
export async function loadAttendees(uid: string): Promise<AttendeeState[]> {
  const { Items } = await table
    .build(QueryCommand)
    .entities(AttendeeEntity)
    .query({ partition: keys.event(uid), range: keysStartingWith(keys.attendee.prefix) })
    .options({ consistent: true, maxPages: Infinity })
    .send()
  return (Items ?? []).map(toAttendee)
}

export async function loadAttendee(uid: string, email: string): Promise<AttendeeState | null> {
  const { Item } = await attendees.get({ eventUid: uid, email }, { consistent: true })
  return Item ? toAttendee(Item) : null
}

/**
 * Every applied change to a known event is sent on to the people this server invited, so it
 * needs a SEQUENCE above the last one sent, even when the organizer's did not rise.
 */
export function nextInviteSequence(previous: StoredEvent | null, state: EventState): number {
  return previous ? Math.max(previous.inviteSequence + 1, state.sequence) : state.sequence
}

// DynamoDB allows 100 items per transaction; the event, organizer and public id take three.
const ATTENDEES_PER_TRANSACTION = 97

/**
 * Stores an organizer's change: the event (conditional on the version read, or on not
 * existing) with its attendees in one transaction when they fit, the rest after it.
 * Attendee writes are idempotent, so a retry after a partial failure converges.
 */
export async function saveEventChange(
  previous: StoredEvent | null,
  state: EventState,
  attendeeList: AttendeeState[],
  changedAttendees: AttendeeState[],
  mailKey: string | undefined,
): Promise<void> {
  const version = (previous?.version ?? 0) + 1
  // A new event gets its public id with its first write (as does one stored before ids existed).
  const publicId = previous?.publicId ?? newPublicId()
  const item = eventItem(state, version, nextInviteSequence(previous, state), previous?.listed ?? false, publicId, attendeeList, mailKey, previous?.invitesSent ?? 0)
  const eventPut = events.transactPut(item, {
    condition: previous ? { attr: 'version', eq: previous.version } : { attr: 'uid', exists: false },
  })
  const publicIdPut = previous?.publicId ? [] : [publicIds.transactPut({ publicId, eventUid: state.uid }, { condition: { attr: 'publicId', exists: false } })]
  const organizerTouch = organizers.transactUpdate({
    email: state.organizer.email,
    name: orUndefined(state.organizer.name),
    domain: domainOf(state.organizer.email),
    eventCount: $add(previous ? 0 : 1),
  })
  const first = changedAttendees.slice(0, ATTENDEES_PER_TRANSACTION)
  await guarded(() =>
    EntityRepository.executeTransactWrite(eventPut, organizerTouch, ...publicIdPut, ...first.map((a) => attendees.transactPut(attendeeItem(state.uid, a)))),
  )
  if (changedAttendees.length <= ATTENDEES_PER_TRANSACTION) return
  for (let index = ATTENDEES_PER_TRANSACTION; index < changedAttendees.length; index += 25) {
    await Promise.all(changedAttendees.slice(index, index + 25).map((a) => attendees.put(attendeeItem(state.uid, a))))
  }
  // The attendees written after the transaction change the event too: the version rises
  // again, so what was derived in between (breakdowns, a reply's read) is read afresh.
  await events.update({ uid: state.uid, version: $add(1) }, { condition: { attr: 'uid', exists: true } })
}

/**
 * Stores one attendee's reply with the event's counts and the organizer's reply count, in
 * one transaction, conditional on the attendee record being as read.
 */
export async function saveReply(event: StoredEvent, previous: AttendeeState | null, next: AttendeeState): Promise<void> {
  const counted = (a: AttendeeState | null) => (a ? (a.source === 'shared' ? 'shared' : countKeyOf(a.partstat)) : null)
  const before = counted(previous)
  const after = counted(next)!
  const delta: Record<string, ReturnType<typeof $add>> = {}
  if (before !== after) {
    if (before) delta[before] = $add(-1)
    delta[after] = $add(1)
  }
  const attendeePut = attendees.transactPut(attendeeItem(event.state.uid, next), {
    condition: previous
      ? previous.lastReplyStamp
        ? { attr: 'lastReplyStamp', eq: previous.lastReplyStamp }
        : { attr: 'lastReplyStamp', exists: false }
      : { attr: 'email', exists: false },
  })
  const eventUpdate = events.transactUpdate(
    {
      uid: event.state.uid,
      version: $add(1),
      counts: delta,
      ...(previous ? {} : { attendeeCount: $add(1) }),
    },
    { condition: { attr: 'uid', exists: true } },
  )
  const organizerUpdate = organizers.transactUpdate({
    email: event.state.organizer.email,
    domain: domainOf(event.state.organizer.email),
    replyCount: $add(1),
  })
  await guarded(() => EntityRepository.executeTransactWrite(attendeePut, eventUpdate, organizerUpdate))
}

/** An invitation's outcome changed (SES reported it undeliverable): the version rises, so the event's breakdowns are computed again. */
export async function invitationOutcomeChanged(uid: string): Promise<void> {
  await events.update({ uid, version: $add(1) }, { condition: { attr: 'uid', exists: true } })
}

/** One more person was sent this event's invitation (the version rises: a full write in flight re-reads it). */
export async function countInviteSent(uid: string): Promise<void> {
  await events.update({ uid, version: $add(1), invitesSent: $add(1) }, { condition: { attr: 'uid', exists: true } })
}
