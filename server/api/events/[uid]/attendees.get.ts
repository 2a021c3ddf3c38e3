// The attendees of one of the caller's events with their answers and this server's invitation: filtered, searched and sorted over the whole event; cursor-paginated.
import { AttendeeListQuerySchema, AttendeePageSchema, EventParamsSchema } from '../../../../shared/schemas/events'
import { defineOperation } from '../../../../shared/schemas/api'
import { listEventAttendees } from '../../../services/event-queries'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnEvent } from '../../../utils/caller'
import { pageOf } from '../../../utils/validation'

export const operation = defineOperation({
  summary: "The event's attendees with their answers and this server's invitation, with the response figures.",
  tag: 'events',
  params: EventParamsSchema,
  query: AttendeeListQuerySchema,
  responses: { 200: { description: 'One page of attendees.', schema: AttendeePageSchema } },
})

export default defineApiRoute(operation, async (event, { params: { uid }, query }) => {
  await requireOwnEvent(event, uid)
  return pageOf(() => listEventAttendees(uid, query))
})
