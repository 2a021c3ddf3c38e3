// Upcoming listed events of the whole site (the landing page), soonest first.
import { z } from 'zod'
import { PublicEventSummarySchema } from '../../../shared/schemas/events'
import { defineOperation } from '../../../shared/schemas/api'
import { listUpcomingPublicEvents } from '../../services/public-events'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'Upcoming events their organizers chose to list (the landing page).',
  tag: 'public',
  public: true,
  responses: { 200: { description: 'Listed events, soonest first.', schema: z.array(PublicEventSummarySchema) } },
})

export default defineApiRoute(operation, () => listUpcomingPublicEvents(new Date()))
