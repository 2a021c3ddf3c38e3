// Invite many addresses to the caller's events in one call (automations): 202 with a result per row.
import { BatchInviteAnswerSchema, BatchInviteBodySchema } from '../../../shared/schemas/lists'
import { defineOperation } from '../../../shared/schemas/api'
import { inviteBatch } from '../../services/batch-invites'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'Invite up to 1,000 rows `{uid, email, name}` to your own events; each row is queued, already invited, or refused with its reason, by the rules of the single invite.',
  tag: 'invites',
  body: BatchInviteBodySchema,
  responses: { 202: { description: 'What became of each row, in order.', schema: BatchInviteAnswerSchema } },
})

export default defineApiRoute(operation, async (event, { body }) => {
  const caller = await requireCaller(event)
  // As for the single invite: an API token is `api`, a signed-in session the dashboard.
  const answer = await inviteBatch(caller, body, caller.via === 'api-token' ? 'api' : 'dashboard')
  setResponseStatus(event, 202)
  return answer
})
