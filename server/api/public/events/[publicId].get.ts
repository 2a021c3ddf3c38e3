// An event by its public id, as its public page shows it (listed or not; never its attendees), with its next occurrences.
import { PublicIdParamsSchema } from '../../../../shared/schemas/public'
import { EventPageSchema } from '../../../../shared/schemas/event-page'
import { defineOperation } from '../../../../shared/schemas/api'
import { eventPageOf } from '../../../services/event-page'
import { defineApiRoute } from '../../../utils/api-route'

export const operation = defineOperation({
  summary: 'An event by its public id: what its public page shows.',
  tag: 'public',
  public: true,
  params: PublicIdParamsSchema,
  responses: {
    200: { description: 'The event.', schema: EventPageSchema },
    404: { description: 'No event has this address.' },
  },
})

export default defineApiRoute(operation, async (_event, { params: { publicId } }) => {
  const found = await eventPageOf(publicId)
  if (!found) throw createError({ statusCode: 404, message: 'There is no event at this address.' })
  return found
})
