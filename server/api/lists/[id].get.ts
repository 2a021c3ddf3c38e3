// One invitation list: its phase and figures (the dashboard polls it for progress).
import { ListAnswerSchema, ListParamsSchema } from '../../../shared/schemas/lists'
import { defineOperation } from '../../../shared/schemas/api'
import { toListView } from '../../services/invitation-lists'
import { defineApiRoute } from '../../utils/api-route'
import { requireOwnList } from '../../utils/caller'

export const operation = defineOperation({
  summary: 'An invitation list: where it is, and its figures (rows, valid, rejected, queued, sent, failed, skipped).',
  tag: 'invites',
  params: ListParamsSchema,
  responses: { 200: { description: 'The list.', schema: ListAnswerSchema } },
})

export default defineApiRoute(operation, async (event, { params: { id } }) => {
  const { list } = await requireOwnList(event, id)
  setResponseHeader(event, 'cache-control', 'private, no-store')
  return { list: toListView(list) }
})
