// Upcoming listed events of the whole site (the landing page), soonest first, searchable.
import { PublicListQuerySchema, PublicListSchema } from '../../../shared/schemas/public-listing'
import { defineOperation } from '../../../shared/schemas/api'
import { listUpcomingPublicEvents } from '../../services/public-events'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'Upcoming events their organizers chose to list (the landing page); a series shows its next occurrence.',
  tag: 'public',
  public: true,
  query: PublicListQuerySchema,
  responses: { 200: { description: 'A page of listed events, soonest first.', schema: PublicListSchema } },
})

export default defineApiRoute(operation, (_event, { query }) => listUpcomingPublicEvents(query))
