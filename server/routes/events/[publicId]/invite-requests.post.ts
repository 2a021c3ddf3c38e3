// "Send me the invite" without JavaScript (or sent before the page's script ran): asks as
// POST /api/public/events/{publicId}/invite-requests does, then shows the page again with the answer.
import { createError, readBody } from 'h3'
import { defineOperation } from '../../../../shared/schemas/api'
import { INVITE_REQUEST_NOTICE_PARAM, INVITE_REQUEST_NOTICES, InviteRequestBodySchema, InviteRequestFormSchema, type InviteRequestNotice } from '../../../../shared/schemas/invite-requests'
import { PublicIdParamsSchema } from '../../../../shared/schemas/public'
import { requestInvite, type InviteRequestOutcome } from '../../../services/invite-requests'
import { defineApiRoute } from '../../../utils/api-route'
import { clientAddress } from '../../../utils/client-address'
import { refusePostFromOtherSites } from '../../../utils/plain-form'

export const operation = defineOperation({
  summary: '"Send me the invite" as a form (`application/x-www-form-urlencoded`: `email`, `origin`), for browsers without JavaScript.',
  tag: 'public',
  public: true,
  params: PublicIdParamsSchema,
  responses: {
    303: { description: 'To the event page (or its embed) with `invite-request` naming the answer: accepted, invalid, client-limited, event-limited or closed.' },
    403: { description: 'The form was posted from another site.' },
    404: { description: 'No event has this address.' },
  },
})

const noticeOf = (result: Exclude<InviteRequestOutcome, { outcome: 'unknown-event' }>): InviteRequestNotice =>
  result.outcome === 'rate-limited' ? (result.message === INVITE_REQUEST_NOTICES['client-limited'] ? 'client-limited' : 'event-limited') : result.outcome

export default defineApiRoute(operation, async (event, { params: { publicId } }) => {
  refusePostFromOtherSites(event)
  // Whatever was posted, the answer is the page, never a JSON 400 (nor a 500 for a body that is no form).
  const posted = InviteRequestFormSchema.safeParse(await readBody(event).catch(() => null))
  const form = posted.success ? posted.data : { email: '', origin: 'landing-page' as const }
  const valid = InviteRequestBodySchema.safeParse(form)
  // Limited per the address the platform saw, as the API is.
  const result = valid.success ? await requestInvite(publicId, valid.data.email, valid.data.origin, clientAddress(event)) : null
  if (result?.outcome === 'unknown-event') throw createError({ statusCode: 404, message: result.message })
  const notice: InviteRequestNotice = result ? noticeOf(result) : 'invalid'
  const page = form.origin === 'embed' ? `/embed/${publicId}` : `/events/${publicId}`
  return sendRedirect(event, `${page}?${new URLSearchParams({ [INVITE_REQUEST_NOTICE_PARAM]: notice })}#send-me-the-invite`, 303)
})
