// Send one attendee of the caller's event the invitation again (the organizer only): 202 queued, 200 already queued, 422 refused with the reason.
import { createError } from 'h3'
import { AttendeeActionResultSchema, AttendeeParamsSchema } from '../../../../../../shared/schemas/events'
import { defineOperation } from '../../../../../../shared/schemas/api'
import { resendInvitation } from '../../../../../services/attendee-tools'
import { defineApiRoute } from '../../../../../utils/api-route'
import { requireOwnEvent } from '../../../../../utils/caller'

export const operation = defineOperation({
  summary: 'Send one attendee the invitation again (the event organizer only).',
  tag: 'invites',
  params: AttendeeParamsSchema,
  responses: {
    202: { description: 'Queued for sending.', schema: AttendeeActionResultSchema },
    200: { description: 'Already queued.', schema: AttendeeActionResultSchema },
    404: { description: 'No such event among yours, or no such attendee.' },
    422: { description: 'Refused (a suppressed or unsubscribed address, a cancelled or past event, the daily limit), with the reason.', schema: AttendeeActionResultSchema },
  },
})

export default defineApiRoute(operation, async (event, { params: { uid, email } }) => {
  const { caller, stored } = await requireOwnEvent(event, uid, { forSending: true })
  const result = await resendInvitation(stored, email, caller.email)
  if (!result) throw createError({ statusCode: 404, message: `${email} is not an attendee of this event.` })
  setResponseStatus(event, result.outcome === 'queued' ? 202 : result.outcome === 'refused' ? 422 : 200)
  return result
})
