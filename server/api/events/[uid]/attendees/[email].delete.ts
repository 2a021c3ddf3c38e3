// Remove one attendee from the caller's event (the organizer only); they are sent a cancellation.
import { createError } from 'h3'
import { AttendeeActionResultSchema, AttendeeParamsSchema } from '../../../../../shared/schemas/events'
import { defineOperation } from '../../../../../shared/schemas/api'
import { removeAttendee } from '../../../../services/attendee-tools'
import { defineApiRoute } from '../../../../utils/api-route'
import { requireOwnEvent } from '../../../../utils/caller'

export const operation = defineOperation({
  summary: 'Remove one attendee; they are sent a CANCEL naming them (the event organizer only).',
  tag: 'events',
  params: AttendeeParamsSchema,
  responses: {
    200: { description: 'Removed.', schema: AttendeeActionResultSchema },
    404: { description: 'No such event among yours, or no such attendee.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { uid, email } }) => {
  await requireOwnEvent(event, uid, { forSending: true })
  const result = await removeAttendee(uid, email)
  if (!result) throw createError({ statusCode: 404, message: `${email} is not an attendee of this event.` })
  return result
})
