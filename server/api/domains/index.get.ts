// Per-domain summaries for owners: every domain for a system owner, their own for a domain owner.
import { domainSummaries } from '../../services/domain-summaries'
import { requireCaller } from '../../utils/caller'

export default defineEventHandler(async (event) => {
  const caller = await requireCaller(event)
  if (!caller.systemOwner && caller.ownedDomains.length === 0) {
    throw createError({ statusCode: 403, message: 'Only owners see domain summaries.' })
  }
  return { domains: await domainSummaries(caller) }
})
