// "Send me the invite": 202 with the same sentence for every address (double opt-in decides what is mailed).
import { createError, setResponseStatus } from 'h3'
import { InviteRequestBodySchema } from '../../../../../shared/schemas/invite-requests'
import { PublicIdParamsSchema } from '../../../../../shared/schemas/public'
import { MessageSchema, defineOperation } from '../../../../../shared/schemas/api'
import { requestInvite } from '../../../../services/invite-requests'
import { defineApiRoute } from '../../../../utils/api-route'
import { clientAddress } from '../../../../utils/client-address'

export const operation = defineOperation({
  summary: 'Asks for the invitation of an event by its public id: the first time for an address, a confirmation link is mailed; the same answer for every address.',
  tag: 'public',
  public: true,
  params: PublicIdParamsSchema,
  body: InviteRequestBodySchema,
  responses: {
    202: { description: 'Accepted: a confirmation or the invitation is on its way if the address may receive it.', schema: MessageSchema },
    400: { description: 'The address is not a valid email address.' },
    404: { description: 'No event has this address.' },
    409: { description: 'The event is cancelled or over, so no invitations are sent for it.' },
    429: { description: 'Too many requests from this client, or for this event.' },
  },
})

const STATUS = { 'unknown-event': 404, closed: 409, 'rate-limited': 429 } as const

export default defineApiRoute(operation, async (event, { params: { publicId }, body }) => {
  // Limited per the address the platform saw, never per an X-Forwarded-For entry the client wrote.
  const result = await requestInvite(publicId, body.email, body.origin, clientAddress(event))
  if (result.outcome !== 'accepted') throw createError({ statusCode: STATUS[result.outcome], message: result.message })
  setResponseStatus(event, 202)
  return { message: result.message }
})
