// The caller's own messages the server rejected, newest first, each with the reason; cursor-paginated.
import { RejectedMailQuerySchema } from '../../../shared/schemas/events'
import { listRejectedMail } from '../../services/event-queries'
import { requireCaller } from '../../utils/caller'
import { validQuery, pageOf } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const query = validQuery(event, RejectedMailQuerySchema)
  const caller = await requireCaller(event)
  return pageOf(() => listRejectedMail(caller.email, query))
})
