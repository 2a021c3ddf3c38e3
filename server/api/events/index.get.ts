// The caller's events by view (upcoming, past, cancelled), searchable; owners name an organizer they oversee. Cursor-paginated.
import { EventListQuerySchema } from '../../../shared/schemas/events'
import { listOrganizerEvents } from '../../services/event-queries'
import { oversees, requireCaller } from '../../utils/caller'
import { validQuery, pageOf } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const { organizer, ...options } = validQuery(event, EventListQuerySchema)
  const caller = await requireCaller(event)
  if (organizer && !oversees(caller, organizer)) throw createError({ statusCode: 404, message: 'There is no such organizer among yours.' })
  return pageOf(() => listOrganizerEvents(organizer ?? caller.email, options))
})
