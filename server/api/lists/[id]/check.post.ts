// The browser has uploaded the list's file: a worker reads and checks it.
import { ListAnswerSchema, ListParamsSchema } from '../../../../shared/schemas/lists'
import { defineOperation } from '../../../../shared/schemas/api'
import { startListCheck } from '../../../services/invitation-lists'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnList } from '../../../utils/caller'

export const operation = defineOperation({
  summary: 'Read and check the uploaded file of an invitation list (after the PUT to its upload URL).',
  tag: 'invites',
  params: ListParamsSchema,
  responses: {
    202: { description: 'A worker is reading the file.', schema: ListAnswerSchema },
    409: { description: 'The list is past that step.' },
    422: { description: 'Nothing was uploaded.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { id } }) => {
  const { list } = await requireOwnList(event, id, { forSending: true })
  const started = await startListCheck(list)
  if (started === 'not-uploaded') throw createError({ statusCode: 422, message: 'The file has not been uploaded yet; upload it, then ask again.' })
  if (started === 'not-waiting') throw createError({ statusCode: 409, message: 'This list is already being read or was read.' })
  setResponseStatus(event, 202)
  return { list: started }
})
