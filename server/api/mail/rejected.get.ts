// The caller's own messages the server rejected, newest first, each with the reason; cursor-paginated.
import { RejectedMailQuerySchema } from '../../schemas/events'
import { InvalidCursor, listRejectedMail } from '../../services/event-queries'
import { requireCaller } from '../../utils/caller'
import { validQuery } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const query = validQuery(event, RejectedMailQuerySchema)
  const caller = await requireCaller(event)
  try {
    return await listRejectedMail(caller.email, query)
  } catch (error) {
    if (error instanceof InvalidCursor) throw createError({ statusCode: 400, message: error.message })
    throw error
  }
})
