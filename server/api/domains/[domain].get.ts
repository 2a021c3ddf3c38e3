// One domain's summary and organizers, for an owner who oversees it (anyone else: 404).
import { DomainDetailSchema, DomainParamsSchema } from '../../../shared/schemas/owners'
import { defineOperation } from '../../../shared/schemas/api'
import { domainDetail } from '../../services/domain-summaries'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'

export const operation = defineOperation({
  summary: "One domain's summary and organizers.",
  tag: 'owners',
  params: DomainParamsSchema,
  responses: { 200: { description: 'The domain.', schema: DomainDetailSchema } },
})

export default defineApiRoute(operation, async (event, { params: { domain } }) => {
  const caller = await requireCaller(event)
  if (!caller.systemOwner && !caller.ownedDomains.includes(domain)) {
    throw createError({ statusCode: 404, message: 'There is no such domain among those you oversee.' })
  }
  return await domainDetail(domain)
})
