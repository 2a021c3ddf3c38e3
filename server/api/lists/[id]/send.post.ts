// The organizer typed YES: invite every valid row of the list.
import { ListAnswerSchema, ListParamsSchema, ListSendBodySchema } from '../../../../shared/schemas/lists'
import { defineOperation } from '../../../../shared/schemas/api'
import { confirmListSend } from '../../../services/invitation-lists'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnList } from '../../../utils/caller'

export const operation = defineOperation({
  summary: 'Send the invitations of a checked list; the body must be `{"confirm": "YES"}`.',
  tag: 'invites',
  params: ListParamsSchema,
  body: ListSendBodySchema,
  responses: {
    202: { description: 'A worker is queueing the invitations.', schema: ListAnswerSchema },
    409: { description: 'The list is not checked yet, or was sent already.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { id } }) => {
  const { list } = await requireOwnList(event, id, { forSending: true })
  const confirmed = await confirmListSend(list)
  if (confirmed === 'not-checked') {
    throw createError({ statusCode: 409, message: list.phase === 'checking' || list.phase === 'uploading' ? 'The list is still being checked.' : 'This list was already sent.' })
  }
  setResponseStatus(event, 202)
  return { list: confirmed }
})
