// The rows of an invitation list that are not invited, with their reasons, in row order; cursor-paginated.
import { ListParamsSchema, RejectedRowPageSchema, RejectedRowsQuerySchema } from '../../../../shared/schemas/lists'
import { defineOperation } from '../../../../shared/schemas/api'
import { rejectedRows } from '../../../services/invitation-lists'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnList } from '../../../utils/caller'
import { pageOf } from '../../../utils/validation'

export const operation = defineOperation({
  summary: 'The rejected rows of an invitation list, each with its row number and reason.',
  tag: 'invites',
  params: ListParamsSchema,
  query: RejectedRowsQuerySchema,
  responses: { 200: { description: 'One page of rejected rows.', schema: RejectedRowPageSchema } },
})

export default defineApiRoute(operation, async (event, { params: { id }, query }) => {
  await requireOwnList(event, id)
  return pageOf(() => rejectedRows(id, query))
})
