// Invite one address to one of the caller's events ("API #3"): 202 queued, 200 already invited, 422 refused.
import { EventParamsSchema, InviteBodySchema } from '../../../../shared/schemas/invites'
import { inviteToEvent } from '../../../services/invitations'
import { requireOwnEvent } from '../../../utils/caller'
import { validBody, validParams } from '../../../utils/validation'

export default defineEventHandler(async (event) => {
  const { uid } = validParams(event, EventParamsSchema)
  const body = await validBody(event, InviteBodySchema)
  const { caller, stored } = await requireOwnEvent(event, uid, { forSending: true })
  // The origin is the server's to say: an API token is `api`, a signed-in session the dashboard's form.
  const origin = caller.via === 'api-token' ? 'api' : 'dashboard'
  const result = await inviteToEvent({ eventUid: uid, email: body.email, name: body.name, origin, invitedBy: caller.email }, stored)
  setResponseStatus(event, result.outcome === 'queued' ? 202 : result.outcome === 'refused' ? 422 : 200)
  return result
})
