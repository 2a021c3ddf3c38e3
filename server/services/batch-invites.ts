/**
 * The batch invite API: up to 1,000 rows (`uid`, `email`, `name`) a call, each invited as
 * the single invite would be (the caller's own events only; the same checks, limits and
 * sentences), through inviteMany so each event's rows are read and written together.
 */
import { isMailAddress } from '../domain/mail/address'
import type { InviteOrigin } from '../../shared/schemas/invites'
import type { BatchInviteAnswerSchema, BatchInviteRowSchema } from '../../shared/schemas/lists'
import type { z } from 'zod'
import { loadEvent } from './event-store'
import { inviteMany } from './invitations'

type BatchRow = z.infer<typeof BatchInviteRowSchema>
type BatchAnswer = z.infer<typeof BatchInviteAnswerSchema>
type BatchResult = BatchAnswer['results'][number]

const MAX_NAME = 200

export async function inviteBatch(caller: { email: string }, rows: BatchRow[], origin: InviteOrigin): Promise<BatchAnswer> {
  const results: BatchResult[] = []
  const refuse = (index: number, row: BatchRow, reason: string) => {
    results[index] = { row: index + 1, uid: row.uid, email: row.email, outcome: 'refused', reason }
  }
  const byEvent = new Map<string, number[]>()
  rows.forEach((row, index) => {
    const email = row.email.trim()
    if (!email) return refuse(index, row, 'The email address is missing.')
    if (!isMailAddress(email.toLowerCase())) return refuse(index, row, `${JSON.stringify(row.email)} is not a valid email address.`)
    if ((row.name ?? '').length > MAX_NAME) return refuse(index, row, `The name is too long (${MAX_NAME} characters at most).`)
    if (!row.uid.trim()) return refuse(index, row, 'The event UID is missing.')
    byEvent.set(row.uid, [...(byEvent.get(row.uid) ?? []), index])
  })
  for (const [uid, indexes] of byEvent) {
    const event = await loadEvent(uid)
    // As the single invite's 404: someone else's event is not told apart from none.
    if (!event || event.state.organizer.email.toLowerCase() !== caller.email) {
      for (const index of indexes) refuse(index, rows[index]!, `There is no event ${uid} among yours.`)
      continue
    }
    const answers = await inviteMany(event, indexes.map((index) => ({ email: rows[index]!.email, name: rows[index]!.name })), { origin, invitedBy: caller.email })
    answers.forEach((answer, position) => {
      const index = indexes[position]!
      results[index] = { row: index + 1, uid, email: rows[index]!.email, outcome: answer.outcome, reason: answer.reason }
    })
  }
  const count = (outcome: BatchResult['outcome']) => results.filter((result) => result.outcome === outcome).length
  return { queued: count('queued'), alreadyInvited: count('already-invited'), refused: count('refused'), results }
}
