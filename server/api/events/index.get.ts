// The caller's events by view (upcoming, past, cancelled), searchable; owners name an organizer they oversee. Cursor-paginated.
import { EventListQuerySchema, EventPageSchema } from '../../../shared/schemas/events'
import { defineOperation } from '../../../shared/schemas/api'
import { listOrganizerEvents } from '../../services/event-queries'
import { defineApiRoute } from '../../utils/api-route'
import { oversees, requireCaller } from '../../utils/caller'
import { pageOf } from '../../utils/validation'

export const operation = defineOperation({
  summary: "The caller's events (or an overseen organizer's) by view, searchable by summary and location.",
  tag: 'events',
  query: EventListQuerySchema,
  responses: {
    200: { description: 'One page of events.', schema: EventPageSchema },
    404: { description: 'The organizer is not one the caller oversees.' },
  },
})

export default defineApiRoute(operation, async (event, { query: { organizer, ...options } }) => {
  const caller = await requireCaller(event)
  if (organizer && !oversees(caller, organizer)) throw createError({ statusCode: 404, message: 'There is no such organizer among yours.' })
  return pageOf(() => listOrganizerEvents(organizer ?? caller.email, options))
})
