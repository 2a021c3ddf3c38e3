/**
 * What an organizer does to one attendee from the event page: send the invitation again,
 * or remove them (they are sent a CANCEL naming them). Both go through the send queue, so
 * the send worker builds and sends the mail once, as it does every invitation.
 */
import { randomUUID } from 'node:crypto'
import { EntityRepository, $add } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity, InvitationEntity, InviteQuotaEntity, isConditionFailure } from '../aws/table'
import { config } from '../config'
import { countKeyOf } from '../domain/itip/event-state'
import { isOver } from '../../shared/event-over'
import type { AttendeeActionResult } from '../../shared/schemas/events'
import { loadAttendee, loadEvent, type StoredEvent } from './event-store'
import { inviteToEvent, loadInvitation } from './invitations'
import { suppressionOf } from './suppression'
import { takePlaces } from './request-windows'
import { enqueueSendJobs } from './send-jobs'

const attendees = AttendeeEntity.build(EntityRepository)
const invitations = InvitationEntity.build(EntityRepository)
const events = EventEntity.build(EntityRepository)

const QUOTA_WINDOW_MINUTES = 24 * 60
/** Removal is conditional on the event's version; a reply arriving meanwhile is rare, so a few tries do. */
const REMOVE_ATTEMPTS = 4

const refused = (message: string): AttendeeActionResult => ({ outcome: 'refused', message })

/** Why nothing may be sent for this event now, or null. */
function closedReason(stored: StoredEvent, now: Date): string | null {
  if (stored.state.status === 'CANCELLED') return 'The event is cancelled, so no invitations are sent for it.'
  const { start, end, allDay, rrule } = stored.state
  if (isOver({ start, end: end ?? null, allDay, rrule: rrule ?? null }, now)) return 'The event is over, so no invitations are sent for it.'
  return null
}

/**
 * Sends one attendee the invitation again (null: no such attendee). Suppressed and
 * unsubscribed addresses are refused with the reason; an invitation that never went out,
 * failed or was stopped is queued again as a new one is (the organizer's daily limit
 * applies); one already sent goes out again as the current version, once per request.
 */
export async function resendInvitation(stored: StoredEvent, email: string, invitedBy: string, now = new Date()): Promise<AttendeeActionResult | null> {
  const uid = stored.state.uid
  const address = email.trim().toLowerCase()
  const [attendee, invitation, suppression] = await Promise.all([loadAttendee(uid, address), loadInvitation(uid, address), suppressionOf(address)])
  if (!attendee) return null
  const closed = closedReason(stored, now)
  if (closed) return refused(closed)
  if (suppression) return refused(suppression.sentence)
  if (invitation?.status === 'queued') return { outcome: 'already-queued', message: `The invitation to ${address} is already queued; it goes out shortly.` }
  if (!invitation || invitation.status !== 'sent') {
    const result = await inviteToEvent({ eventUid: uid, email: address, name: invitation?.name ?? attendee.name, origin: invitation?.origin ?? 'dashboard', invitedBy }, stored)
    if (result.outcome === 'queued') return { outcome: 'queued', message: `The invitation to ${address} is queued again.` }
    return result.outcome === 'refused' ? refused(result.reason) : { outcome: 'already-queued', message: result.reason }
  }
  const dailyLimit = config().dailyInviteLimit
  const organizer = stored.state.organizer.email
  if ((await takePlaces(InviteQuotaEntity, organizer, 1, dailyLimit, now, QUOTA_WINDOW_MINUTES)) < 1) {
    return refused(`Over the daily limit of ${dailyLimit.toLocaleString('en')} invitations for ${organizer}; try again tomorrow.`)
  }
  // Shown as queued until the worker sends it (and marks it sent, or failed with the reason).
  await invitations.update({ eventUid: uid, email: address, status: 'queued' })
  await enqueueSendJobs([{ type: 'resend', eventUid: uid, email: address, requestKey: `resend-${randomUUID()}` }])
  return { outcome: 'queued', message: `The invitation to ${address} is queued to be sent again.` }
}

/**
 * Removes one attendee (null: no such attendee): their attendee and invitation records go,
 * with the event's counts, in one transaction conditional on the event's version; the
 * SEQUENCE of what this server sends rises (a CANCEL must carry a higher one than the
 * invitation it withdraws), and they are sent a CANCEL naming them, unless this server's
 * invitation was all they would have had and it never went out, or they are suppressed.
 */
export async function removeAttendee(uid: string, email: string): Promise<AttendeeActionResult | null> {
  const address = email.trim().toLowerCase()
  for (let attempt = 1; ; attempt++) {
    const [stored, attendee, invitation] = await Promise.all([loadEvent(uid), loadAttendee(uid, address), loadInvitation(uid, address)])
    if (!stored || !attendee) return null
    const sequence = stored.inviteSequence + 1
    const counted = attendee.source === 'shared' ? 'shared' : countKeyOf(attendee.partstat)
    const writes = [
      attendees.transactDelete({ eventUid: uid, email: address }, { condition: { attr: 'email', exists: true } }),
      ...(invitation ? [invitations.transactDelete({ eventUid: uid, email: address })] : []),
      events.transactUpdate(
        { uid, version: $add(1), inviteSequence: sequence, attendeeCount: $add(-1), counts: { [counted]: $add(-1) } },
        { condition: { attr: 'version', eq: stored.version } },
      ),
    ]
    try {
      await EntityRepository.executeTransactWrite(...writes)
    } catch (error) {
      if (isConditionFailure(error) && attempt < REMOVE_ATTEMPTS) continue
      throw error
    }
    const hadSomething = attendee.source !== 'invite' || invitation?.sentSequence != null
    if (hadSomething) await enqueueSendJobs([{ type: 'cancel-attendee', eventUid: uid, email: address, name: attendee.name ?? null, sequence }])
    return {
      outcome: 'removed',
      message: hadSomething ? `${address} is removed and will be sent a cancellation.` : `${address} is removed; their invitation had not gone out, so nothing is sent.`,
    }
  }
}
