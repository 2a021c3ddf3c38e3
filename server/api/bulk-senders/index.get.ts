// Every bulk sender and their daily limit (system owners only).
import { BulkSenderListSchema } from '../../../shared/schemas/bulk-senders'
import { defineOperation } from '../../../shared/schemas/api'
import { listBulkSenders } from '../../services/bulk-senders'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller, requireSystemOwner } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'Every bulk sender (whose CSV lists bulk@ accepts) and their daily limit (system owners only).',
  tag: 'bulk-senders',
  responses: {
    200: { description: 'The bulk senders, by address.', schema: BulkSenderListSchema },
    403: { description: 'Only system owners may do this.' },
  },
})

export default defineApiRoute(operation, async (event) => {
  requireSystemOwner(await requireCaller(event))
  return { bulkSenders: await listBulkSenders() }
})
