// The invitation lists of one of the caller's events, newest first.
import { EventParamsSchema } from '../../../../shared/schemas/events'
import { ListPageSchema } from '../../../../shared/schemas/lists'
import { defineOperation } from '../../../../shared/schemas/api'
import { listsOfEvent } from '../../../services/invitation-lists'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnEvent } from '../../../utils/caller'

export const operation = defineOperation({
  summary: "The event's invitation lists, newest first, with their figures.",
  tag: 'invites',
  params: EventParamsSchema,
  responses: { 200: { description: 'The lists.', schema: ListPageSchema } },
})

export default defineApiRoute(operation, async (event, { params: { uid } }) => {
  await requireOwnEvent(event, uid)
  return { lists: await listsOfEvent(uid) }
})
