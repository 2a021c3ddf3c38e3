// Add a bulk sender or change their daily limit (system owners only).
import { BulkSenderGrantSchema, BulkSenderParamsSchema, BulkSenderViewSchema } from '../../../shared/schemas/bulk-senders'
import { defineOperation } from '../../../shared/schemas/api'
import { setBulkSender } from '../../services/bulk-senders'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller, requireSystemOwner } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'Add a bulk sender, or change their daily limit (system owners only).',
  tag: 'bulk-senders',
  params: BulkSenderParamsSchema,
  body: BulkSenderGrantSchema,
  responses: {
    200: { description: 'The bulk sender now.', schema: BulkSenderViewSchema },
    403: { description: 'Only system owners may do this.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { email }, body: grant }) => {
  const caller = await requireCaller(event)
  requireSystemOwner(caller)
  return await setBulkSender(email, grant, caller.email)
})
