// One domain's summary and organizers, for an owner who oversees it (anyone else: 404).
import { DomainParamsSchema } from '../../../shared/schemas/owners'
import { domainDetail } from '../../services/domain-summaries'
import { requireCaller } from '../../utils/caller'
import { validParams } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const { domain } = validParams(event, DomainParamsSchema)
  const caller = await requireCaller(event)
  if (!caller.systemOwner && !caller.ownedDomains.includes(domain)) {
    throw createError({ statusCode: 404, message: 'There is no such domain among those you oversee.' })
  }
  return await domainDetail(domain)
})
