// Per-domain summaries for owners: every domain for a system owner, their own for a domain owner.
import { DomainListSchema } from '../../../shared/schemas/owners'
import { defineOperation } from '../../../shared/schemas/api'
import { domainSummaries } from '../../services/domain-summaries'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'Per-domain summaries for owners.',
  tag: 'owners',
  responses: {
    200: { description: 'The domains the caller oversees.', schema: DomainListSchema },
    403: { description: 'Only owners see domain summaries.' },
  },
})

export default defineApiRoute(operation, async (event) => {
  const caller = await requireCaller(event)
  if (!caller.systemOwner && caller.ownedDomains.length === 0) {
    throw createError({ statusCode: 403, message: 'Only owners see domain summaries.' })
  }
  return { domains: await domainSummaries(caller) }
})
