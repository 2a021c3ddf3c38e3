// Remove a bulk sender (system owners only); an address that is none answers 404.
import { createError, sendNoContent } from 'h3'
import { BulkSenderParamsSchema } from '../../../shared/schemas/bulk-senders'
import { defineOperation } from '../../../shared/schemas/api'
import { removeBulkSender } from '../../services/bulk-senders'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller, requireSystemOwner } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'Remove a bulk sender: bulk@ no longer accepts their lists (system owners only).',
  tag: 'bulk-senders',
  params: BulkSenderParamsSchema,
  responses: {
    204: { description: 'Removed.' },
    403: { description: 'Only system owners may do this.' },
    404: { description: 'That address is not a bulk sender.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { email } }) => {
  requireSystemOwner(await requireCaller(event))
  if (!(await removeBulkSender(email))) throw createError({ statusCode: 404, message: `${email} is not a bulk sender.` })
  return sendNoContent(event)
})
