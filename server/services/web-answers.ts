/**
 * Web answers: every invitation this server sends carries Yes / Maybe / No links, for mail
 * clients that never send a REPLY to an organizer outside their own system. A link's token
 * is signed per attendee and event, not per SEQUENCE, so the links of an earlier version
 * keep working. Opening one changes nothing (mail scanners open links); the POST of the
 * page's button records the answer as a calendar REPLY would (ingest.ts applyWebAnswer).
 */
import { describeWhen, organizerName } from '../domain/invite/message-text'
import type { WebAnswer, WebAnswerLink } from '../../shared/schemas/invite-requests'
import { loadAttendee, loadEvent } from './event-store'
import { applyWebAnswer } from './ingest'
import { readWebAnswerToken } from './web-answer-links'

export { webAnswerUrls, webAnswerToken, readWebAnswerToken } from './web-answer-links'

async function linkTarget(token: string) {
  const link = readWebAnswerToken(token)
  if (!link) return null
  const [event, attendee] = await Promise.all([loadEvent(link.eventUid), loadAttendee(link.eventUid, link.email)])
  // Links are only ever sent to attendees: without one the link names nobody here.
  if (!event || !attendee) return null
  return { event, attendee }
}

/** What the answer page shows; null when the link is not valid (or its event is gone). */
export async function webAnswerLinkOf(token: string): Promise<WebAnswerLink | null> {
  const target = await linkTarget(token)
  if (!target) return null
  const { event, attendee } = target
  return {
    email: attendee.email,
    summary: event.state.summary || '(no title)',
    when: describeWhen(event.state),
    location: event.state.location ?? null,
    organizerName: organizerName(event.state),
    status: event.state.status,
    answer: attendee.partstat,
  }
}

export type WebAnswerResult = { outcome: 'recorded'; answer: WebAnswer; message: string } | { outcome: 'refused'; message: string } | null

const SAID: Record<WebAnswer, string> = { ACCEPTED: 'Yes', TENTATIVE: 'Maybe', DECLINED: 'No' }

/** Records the answer of the link's attendee; null when the link is not valid. */
export async function answerByToken(token: string, answer: WebAnswer, at: Date = new Date()): Promise<WebAnswerResult> {
  const target = await linkTarget(token)
  if (!target) return null
  const { event, attendee } = target
  if (event.state.status === 'CANCELLED') return { outcome: 'refused', message: 'This event is cancelled, so answers are no longer recorded.' }
  const result = await applyWebAnswer(event.state.uid, { email: attendee.email, name: attendee.name }, answer, at)
  if (result.outcome !== 'reply') return { outcome: 'refused', message: result.reason }
  return { outcome: 'recorded', answer, message: `Your answer "${SAID[answer]}" is recorded for ${organizerName(event.state)}.` }
}
