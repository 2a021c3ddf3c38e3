// The attendees of one of the caller's events with their answers and this server's invitation; cursor-paginated.
import { AttendeeListQuerySchema, EventParamsSchema } from '../../../../shared/schemas/events'
import { listEventAttendees } from '../../../services/event-queries'
import { requireOwnEvent } from '../../../utils/caller'
import { validParams, validQuery, pageOf } from '../../../utils/validation'

export default defineEventHandler(async (event) => {
  const { uid } = validParams(event, EventParamsSchema)
  const query = validQuery(event, AttendeeListQuerySchema)
  await requireOwnEvent(event, uid)
  return pageOf(() => listEventAttendees(uid, query))
})
