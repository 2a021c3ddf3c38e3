// The confirmation page's button: sends the invitation and remembers the address; the page at the same address shows it first.
import { createError, setResponseStatus } from 'h3'
import { LinkTokenParamsSchema } from '../../../shared/schemas/invite-requests'
import { MessageSchema, defineOperation } from '../../../shared/schemas/api'
import { confirmInviteRequest } from '../../services/invite-requests'
import { defineApiRoute } from '../../utils/api-route'

export const operation = defineOperation({
  summary: 'Confirms a "send me the invite" request: the invitation is queued and the address confirmed for the organizer.',
  tag: 'public',
  public: true,
  params: LinkTokenParamsSchema,
  responses: {
    202: { description: 'The invitation is on its way (unless the address may not be mailed).', schema: MessageSchema },
    404: { description: 'The link is not valid.' },
    409: { description: 'The event is cancelled or over.' },
    410: { description: 'The link has expired.' },
  },
})

const STATUS = { invalid: 404, closed: 409, expired: 410 } as const

export default defineApiRoute(operation, async (event, { params: { token } }) => {
  const result = await confirmInviteRequest(token)
  if (result.outcome !== 'sent') throw createError({ statusCode: STATUS[result.outcome], message: result.message })
  setResponseStatus(event, 202)
  return { message: result.message }
})
