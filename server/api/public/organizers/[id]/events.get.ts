// An organizer's upcoming listed events, by the public id in their page's address.
import { OrganizerListSchema, OrganizerPublicIdParamsSchema, PublicListQuerySchema } from '../../../../../shared/schemas/public-listing'
import { defineOperation } from '../../../../../shared/schemas/api'
import { listOrganizerPublicEvents } from '../../../../services/public-events'
import { defineApiRoute } from '../../../../utils/api-route'

export const operation = defineOperation({
  summary: "An organizer's upcoming listed events (their public page), searchable; never their address.",
  tag: 'public',
  public: true,
  params: OrganizerPublicIdParamsSchema,
  query: PublicListQuerySchema,
  responses: {
    200: { description: 'The organizer and a page of their listed events, soonest first.', schema: OrganizerListSchema },
    404: { description: 'No organizer has this address.' },
  },
})

export default defineApiRoute(operation, async (_event, { params: { id }, query }) => {
  const found = await listOrganizerPublicEvents(id, query)
  if (!found) throw createError({ statusCode: 404, message: 'There is no organizer at this address.' })
  return found
})
