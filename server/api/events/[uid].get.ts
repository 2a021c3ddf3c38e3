// One of the caller's events (or one they oversee) with its counts and breakdowns of the answers.
import { EventParamsSchema } from '../../../shared/schemas/events'
import { eventDetails } from '../../services/event-queries'
import { requireOwnEvent } from '../../utils/caller'
import { validParams } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const { uid } = validParams(event, EventParamsSchema)
  await requireOwnEvent(event, uid)
  const details = await eventDetails(uid)
  if (!details) throw createError({ statusCode: 404, message: 'There is no such event among yours.' })
  return details
})
