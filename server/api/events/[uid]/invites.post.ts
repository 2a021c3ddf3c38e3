// Invite one address to one of the caller's events: 202 queued, 200 already invited, 422 refused.
import { EventParamsSchema, InviteBodySchema, InviteResultSchema } from '../../../../shared/schemas/invites'
import { defineOperation } from '../../../../shared/schemas/api'
import { inviteToEvent } from '../../../services/invitations'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnEvent } from '../../../utils/caller'

export const operation = defineOperation({
  summary: 'Invite one address (the event organizer only).',
  tag: 'invites',
  params: EventParamsSchema,
  body: InviteBodySchema,
  responses: {
    202: { description: 'Queued for sending.', schema: InviteResultSchema },
    200: { description: 'Already invited.', schema: InviteResultSchema },
    422: { description: 'Refused, with the reason.', schema: InviteResultSchema },
  },
})

export default defineApiRoute(operation, async (event, { params: { uid }, body }) => {
  const { caller, stored } = await requireOwnEvent(event, uid, { forSending: true })
  // The origin is the server's to say: an API token is `api`, a signed-in session the dashboard's form.
  const origin = caller.via === 'api-token' ? 'api' : 'dashboard'
  const result = await inviteToEvent({ eventUid: uid, email: body.email, name: body.name, origin, invitedBy: caller.email }, stored)
  setResponseStatus(event, result.outcome === 'queued' ? 202 : result.outcome === 'refused' ? 422 : 200)
  return result
})
