/**
 * Invitations this server sends for an event ("API #3"): an organizer asks for an address
 * to be invited; it is checked, recorded as an attendee (NEEDS-ACTION) with its origin, and
 * a send job is queued. The send worker (send-worker.ts) builds and sends the message.
 */
import { EntityRepository, QueryCommand, $add } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity, InvitationEntity, isConditionFailure, keys, keysStartingWith, table, type InviteOrigin, type InviteStatus } from '../aws/table'
import { config } from '../config'
import type { InvitationView, InviteResult } from '../../shared/schemas/invites'
import { signToken, readToken } from '../domain/links/signed-token'
import { countKeyOf } from '../domain/itip/event-state'
import { loadAttendee, loadEvent, type StoredEvent } from './event-store'
import { suppressionOf, unsubscribe } from './suppression'
import { enqueueSendJobs } from './send-jobs'
import { encodeCursor, readCursor } from './cursors'

const invitations = InvitationEntity.build(EntityRepository)
const attendees = AttendeeEntity.build(EntityRepository)
const events = EventEntity.build(EntityRepository)

export interface InviteRequest {
  eventUid: string
  email: string
  name?: string | null
  origin: InviteOrigin
  /** The organizer (or `public`) who asked. */
  invitedBy: string
}


type InvitationItem = NonNullable<Awaited<ReturnType<typeof invitations.get>>['Item']>

const toView = (item: InvitationItem): InvitationView => ({
  email: item.email,
  name: item.name ?? null,
  origin: item.origin,
  invitedAt: item.invitedAt,
  status: item.status,
  sentSequence: item.sentSequence ?? null,
  sentMethod: item.sentMethod ?? null,
  sentAt: item.sentAt ?? null,
  error: item.error ?? null,
})

/** Names become header and calendar values: no control characters, bounded length. */
const cleanName = (name: string | null | undefined) => {
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)
  return cleaned || null
}

export async function loadInvitation(eventUid: string, email: string): Promise<InvitationView | null> {
  const { Item } = await invitations.get({ eventUid, email }, { consistent: true })
  return Item ? toView(Item) : null
}

/**
 * Records and queues one invitation. Refuses what must not be mailed (the server's own
 * mailboxes, blocked, unsubscribed, bounced or complaining addresses, a cancelled event);
 * inviting the same person twice sends once, unless the earlier send failed.
 */
export async function inviteToEvent(request: InviteRequest, stored?: StoredEvent | null): Promise<InviteResult> {
  const email = request.email.trim().toLowerCase()
  const event = stored === undefined ? await loadEvent(request.eventUid) : stored
  if (!event) return { outcome: 'refused', reason: `There is no event ${request.eventUid}.` }
  if (event.state.status === 'CANCELLED') return { outcome: 'refused', reason: 'The event is cancelled, so no invitations are sent for it.' }
  const cfg = config()
  if (Object.values(cfg.mailboxes).includes(email)) {
    return { outcome: 'refused', reason: `${email} is one of this server's own mailboxes.` }
  }
  const suppressed = await suppressionOf(email)
  if (suppressed) return { outcome: 'refused', reason: suppressed.sentence }

  const existing = await loadInvitation(event.state.uid, email)
  if (existing) {
    const sendAgain = existing.status === 'failed' || existing.status === 'unknown' || existing.status === 'suppressed' || existing.status === 'unsubscribed'
    if (!sendAgain) {
      return {
        outcome: 'already-invited',
        reason: existing.status === 'sent' ? `${email} was already sent this invitation.` : `The invitation to ${email} is already queued.`,
        invitation: existing,
      }
    }
    await invitations.update({ eventUid: event.state.uid, email, status: 'queued' })
    await enqueueSendJobs([{ type: 'deliver', eventUid: event.state.uid, email }])
    return { outcome: 'queued', reason: `The invitation to ${email} is queued again.`, invitation: { ...existing, status: 'queued' } }
  }

  const now = new Date().toISOString()
  const item = {
    eventUid: event.state.uid,
    email,
    name: cleanName(request.name) ?? undefined,
    origin: request.origin,
    invitedAt: now,
    invitedBy: request.invitedBy,
    status: 'queued' as const,
  }
  try {
    await recordInvitation(event, item)
  } catch (error) {
    if (!isConditionFailure(error)) throw error
    // A concurrent request for the same address won: report what it recorded.
    const winner = await loadInvitation(event.state.uid, email)
    return { outcome: 'already-invited', reason: `The invitation to ${email} is already queued.`, invitation: winner ?? undefined }
  }
  await enqueueSendJobs([{ type: 'deliver', eventUid: event.state.uid, email }])
  return { outcome: 'queued', reason: `The invitation to ${email} is queued for sending.`, invitation: toView(item as InvitationItem) }
}

/**
 * The invitation and, for someone new to the event, an attendee awaiting an answer with
 * the event's counts, in one transaction. People already on the event (named by the
 * organizer, or who answered a forwarded invite) keep their answer.
 */
async function recordInvitation(event: StoredEvent, item: Parameters<typeof invitations.put>[0]) {
  const uid = event.state.uid
  const email = item.email as string
  const invitationPut = invitations.transactPut(item, { condition: { attr: 'email', exists: false } })
  const attendee = await loadAttendee(uid, email)
  if (attendee && attendee.source !== 'shared') {
    // Only the invitation is new, but the version still rises: the origins breakdown changed.
    const versionRaise = events.transactUpdate({ uid, version: $add(1) }, { condition: { attr: 'uid', exists: true } })
    return EntityRepository.executeTransactWrite(invitationPut, versionRaise)
  }
  // New, or upgraded from a forwarded invite (counted as "shared") to invited by us.
  const previousKey = attendee ? 'shared' : null
  const nextKey = countKeyOf(attendee?.partstat ?? 'NEEDS-ACTION')
  const counts: Record<string, ReturnType<typeof $add>> = { [nextKey]: $add(1) }
  if (previousKey) counts[previousKey] = $add(-1)
  const attendeeWrite = attendee
    ? attendees.transactUpdate({ eventUid: uid, email, source: 'invite' }, { condition: { attr: 'source', eq: 'shared' } })
    : attendees.transactPut(
        { eventUid: uid, email, name: item.name as string | undefined, partstat: 'NEEDS-ACTION', source: 'invite', invitedAt: item.invitedAt as string },
        { condition: { attr: 'email', exists: false } },
      )
  // The version rises so an organizer's update in flight re-reads the attendee list.
  const eventUpdate = events.transactUpdate(
    { uid, version: $add(1), counts, ...(attendee ? {} : { attendeeCount: $add(1) }) },
    { condition: { attr: 'uid', exists: true } },
  )
  return EntityRepository.executeTransactWrite(invitationPut, attendeeWrite, eventUpdate)
}

/** One page of an event's invitations, in address order. */
export async function listInvitations(eventUid: string, options: { limit?: number; cursor?: string } = {}) {
  const partition = keys.event(eventUid)
  const startKey = readCursor(options.cursor, ['pk', 'sk'], (key) => key.pk === partition && (key.sk ?? '').startsWith(keys.invitation.prefix))
  const page = await table
    .build(QueryCommand)
    .entities(InvitationEntity)
    .query({ partition, range: keysStartingWith(keys.invitation.prefix) })
    .options({ limit: options.limit ?? 100, exclusiveStartKey: startKey })
    .send()
  return { invitations: (page.Items ?? []).map(toView), cursor: encodeCursor(page.LastEvaluatedKey) }
}

// ------------------------------------------------------------------ unsubscribe links

const UNSUBSCRIBE = 'unsubscribe'

/** The one-click unsubscribe URL (RFC 8058) put in every invitation to `email`. */
export function unsubscribeUrl(email: string, eventUid: string): string {
  const cfg = config()
  return `${cfg.siteUrl}/unsubscribe/${signToken(cfg.secret, UNSUBSCRIBE, [email.toLowerCase(), eventUid])}`
}

export function readUnsubscribeToken(token: string): { email: string; eventUid: string } | null {
  const values = readToken(config().secret, UNSUBSCRIBE, token)
  if (!values || values.length !== 2) return null
  return { email: values[0]!, eventUid: values[1]! }
}

/**
 * A one-click unsubscribe (RFC 8058): the address gets no more mail from this server, for
 * any event, and the invitation that carried the link shows it. Idempotent.
 */
export async function unsubscribeByToken(token: string): Promise<{ email: string } | null> {
  const link = readUnsubscribeToken(token)
  if (!link) return null
  await unsubscribe(link.email)
  await invitations
    .update({ eventUid: link.eventUid, email: link.email, status: 'unsubscribed', error: 'The attendee unsubscribed.' }, { condition: { attr: 'email', exists: true } })
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error
    })
  return { email: link.email }
}
