// Every owner and what they oversee (system owners only).
import { OwnerListSchema } from '../../../shared/schemas/owners'
import { defineOperation } from '../../../shared/schemas/api'
import { listOwners } from '../../services/owners'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller, requireSystemOwner } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'Every owner and what they oversee (system owners only).',
  tag: 'owners',
  responses: {
    200: { description: 'The owners.', schema: OwnerListSchema },
    403: { description: 'Only system owners may do this.' },
  },
})

export default defineApiRoute(operation, async (event) => {
  requireSystemOwner(await requireCaller(event))
  return { owners: await listOwners() }
})
