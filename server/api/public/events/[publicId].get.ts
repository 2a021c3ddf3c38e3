// An event by its public id, as its public page shows it (listed or not; never its attendees).
import { PublicEventSchema, PublicIdParamsSchema } from '../../../../shared/schemas/public'
import { defineOperation } from '../../../../shared/schemas/api'
import { publicEventOf } from '../../../services/public-events'
import { defineApiRoute } from '../../../utils/api-route'

export const operation = defineOperation({
  summary: 'An event by its public id: what its public page shows.',
  tag: 'public',
  public: true,
  params: PublicIdParamsSchema,
  responses: {
    200: { description: 'The event.', schema: PublicEventSchema },
    404: { description: 'No event has this address.' },
  },
})

export default defineApiRoute(operation, async (_event, { params: { publicId } }) => {
  const found = await publicEventOf(publicId)
  if (!found) throw createError({ statusCode: 404, message: 'There is no event at this address.' })
  return found
})
