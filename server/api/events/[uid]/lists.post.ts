// A VIP list for one of the caller's events: an upload URL for a file, or pasted addresses read at once.
import { EventParamsSchema } from '../../../../shared/schemas/events'
import { ListCreateBodySchema, ListUploadAnswerSchema } from '../../../../shared/schemas/lists'
import { defineOperation } from '../../../../shared/schemas/api'
import { UnreadableList } from '../../../domain/lists/list-entry'
import { createListFromText, createUploadedList } from '../../../services/invitation-lists'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnEvent } from '../../../utils/caller'

export const operation = defineOperation({
  summary: 'Start an invitation list for the event: `{fileName, size}` gives a URL to PUT the file to (then POST …/check); `{text}` reads pasted addresses.',
  tag: 'invites',
  params: EventParamsSchema,
  body: ListCreateBodySchema,
  responses: {
    201: { description: 'The list, and for a file where to upload it.', schema: ListUploadAnswerSchema },
    413: { description: 'The file is larger than a list may be.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { uid }, body }) => {
  const { caller } = await requireOwnEvent(event, uid, { forSending: true })
  const list = { organizerEmail: caller.email, origin: 'vip' as const, layout: 'vip' as const, eventUid: uid }
  setResponseStatus(event, 201)
  if ('text' in body) return { list: await createListFromText({ ...list, fileName: 'Pasted addresses' }, body.text, 'check') }
  try {
    return await createUploadedList({ ...list, fileName: body.fileName, size: body.size })
  } catch (error) {
    if (error instanceof UnreadableList) throw createError({ statusCode: 413, message: error.message })
    throw error
  }
})
