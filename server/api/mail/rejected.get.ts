// The caller's own messages the server rejected, newest first, each with the reason; cursor-paginated.
import { RejectedMailPageSchema, RejectedMailQuerySchema } from '../../../shared/schemas/events'
import { defineOperation } from '../../../shared/schemas/api'
import { listRejectedMail } from '../../services/event-queries'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'
import { pageOf } from '../../utils/validation'

export const operation = defineOperation({
  summary: "The caller's own messages the server rejected, newest first, with the reason.",
  tag: 'mail',
  query: RejectedMailQuerySchema,
  responses: { 200: { description: 'One page of rejected messages.', schema: RejectedMailPageSchema } },
})

export default defineApiRoute(operation, async (event, { query }) => {
  const caller = await requireCaller(event)
  return pageOf(() => listRejectedMail(caller.email, query))
})
