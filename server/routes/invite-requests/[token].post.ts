// The confirmation page's button: sends the invitation and remembers the address; the page at the same address shows it first.
import { createError, setResponseStatus } from 'h3'
import { LinkTokenParamsSchema } from '../../../shared/schemas/invite-requests'
import { MessageSchema, defineOperation } from '../../../shared/schemas/api'
import { confirmInviteRequest } from '../../services/invite-requests'
import { defineApiRoute } from '../../utils/api-route'
import { isPlainFormPost, refusePostFromOtherSites } from '../../utils/plain-form'

export const operation = defineOperation({
  summary: 'Confirms a "send me the invite" request: the invitation is queued and the address confirmed for the organizer.',
  tag: 'public',
  public: true,
  params: LinkTokenParamsSchema,
  responses: {
    202: { description: 'The invitation is on its way (unless the address may not be mailed).', schema: MessageSchema },
    303: { description: 'The page\'s form posted without JavaScript (urlencoded): back to the page, with `sent=yes` once the invitation is on its way.' },
    403: { description: 'A form posted from another site.' },
    404: { description: 'The link is not valid.' },
    409: { description: 'The event is cancelled or over.' },
    410: { description: 'The link has expired.' },
  },
})

const STATUS = { invalid: 404, closed: 409, expired: 410 } as const

export default defineApiRoute(operation, async (event, { params: { token } }) => {
  const plainForm = isPlainFormPost(event)
  if (plainForm) refusePostFromOtherSites(event)
  const result = await confirmInviteRequest(token)
  // The page says what the link is for, and whether it is still good, by itself.
  if (plainForm) return sendRedirect(event, `/invite-requests/${encodeURIComponent(token)}${result.outcome === 'sent' ? '?sent=yes' : ''}`, 303)
  if (result.outcome !== 'sent') throw createError({ statusCode: STATUS[result.outcome], message: result.message })
  setResponseStatus(event, 202)
  return { message: result.message }
})
