// The organizer lists or unlists one of their events; answers the event as it is now.
import { EventDetailsSchema, EventParamsSchema, EventPatchSchema } from '../../../shared/schemas/events'
import { defineOperation } from '../../../shared/schemas/api'
import { eventDetails } from '../../services/event-queries'
import { BusyEvent, setEventListed } from '../../services/public-events'
import { defineApiRoute } from '../../utils/api-route'
import { requireOwnEvent } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'List or unlist the event on the public pages (the event organizer only).',
  tag: 'events',
  params: EventParamsSchema,
  body: EventPatchSchema,
  responses: {
    200: { description: 'The event, as changed.', schema: EventDetailsSchema },
    409: { description: 'The event kept changing meanwhile; try again.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { uid }, body }) => {
  // Whether the public sees an event is the organizer's choice, not an overseer's.
  await requireOwnEvent(event, uid, { forSending: true })
  try {
    await setEventListed(uid, body.listed)
  } catch (error) {
    if (error instanceof BusyEvent) throw createError({ statusCode: 409, message: error.message })
    throw error
  }
  const details = await eventDetails(uid)
  if (!details) throw createError({ statusCode: 404, message: 'There is no such event among yours.' })
  return details
})
