// The invitations of one of the caller's events, with what was sent and why anything failed; cursor-paginated.
import { EventParamsSchema, InvitationListQuerySchema } from '../../../../shared/schemas/invites'
import { listInvitations } from '../../../services/invitations'
import { requireOwnEvent } from '../../../utils/caller'
import { validParams, validQuery, pageOf } from '../../../utils/validation'

export default defineEventHandler(async (event) => {
  const { uid } = validParams(event, EventParamsSchema)
  const query = validQuery(event, InvitationListQuerySchema)
  await requireOwnEvent(event, uid)
  return pageOf(() => listInvitations(uid, query))
})
