// The upcoming listed events of one email domain's organizers.
import { DomainListSchema, DomainParamsSchema, PublicListQuerySchema } from '../../../../../shared/schemas/public-listing'
import { defineOperation } from '../../../../../shared/schemas/api'
import { listDomainPublicEvents } from '../../../../services/public-events'
import { defineApiRoute } from '../../../../utils/api-route'

export const operation = defineOperation({
  summary: "A domain's upcoming listed events (its public page), searchable.",
  tag: 'public',
  public: true,
  params: DomainParamsSchema,
  query: PublicListQuerySchema,
  responses: {
    200: { description: 'A page of the listed events of the domain\'s organizers, soonest first.', schema: DomainListSchema },
    404: { description: 'No organizer here has an address at this domain.' },
  },
})

export default defineApiRoute(operation, async (_event, { params: { domain }, query }) => {
  const found = await listDomainPublicEvents(domain, query)
  if (!found) throw createError({ statusCode: 404, message: 'No organizer here has an address at this domain.' })
  return found
})
