// One of the caller's events (or one they oversee) with its counts and breakdowns of the answers.
import { EventDetailsSchema, EventParamsSchema } from '../../../shared/schemas/events'
import { defineOperation } from '../../../shared/schemas/api'
import { eventDetails } from '../../services/event-queries'
import { defineApiRoute } from '../../utils/api-route'
import { requireOwnEvent } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'One event with its counts and breakdowns (answers, clients, origins, answers per day).',
  tag: 'events',
  params: EventParamsSchema,
  responses: { 200: { description: 'The event.', schema: EventDetailsSchema } },
})

export default defineApiRoute(operation, async (event, { params: { uid } }) => {
  await requireOwnEvent(event, uid)
  const details = await eventDetails(uid)
  if (!details) throw createError({ statusCode: 404, message: 'There is no such event among yours.' })
  return details
})
