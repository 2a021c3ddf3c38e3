// The invitations of one of the caller's events, with what was sent and why anything failed; cursor-paginated.
import { EventParamsSchema, InvitationListQuerySchema, InvitationPageSchema } from '../../../../shared/schemas/invites'
import { defineOperation } from '../../../../shared/schemas/api'
import { listInvitations } from '../../../services/invitations'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnEvent } from '../../../utils/caller'
import { pageOf } from '../../../utils/validation'

export const operation = defineOperation({
  summary: 'The invitations this server sent for the event, with what was sent and why anything failed.',
  tag: 'invites',
  params: EventParamsSchema,
  query: InvitationListQuerySchema,
  responses: { 200: { description: 'One page of invitations.', schema: InvitationPageSchema } },
})

export default defineApiRoute(operation, async (event, { params: { uid }, query }) => {
  await requireOwnEvent(event, uid)
  return pageOf(() => listInvitations(uid, query))
})
