// What a "send me the invite" confirmation link is for (its page shows it before the button); changes nothing.
import { InviteRequestLinkSchema, LinkTokenParamsSchema } from '../../../../shared/schemas/invite-requests'
import { defineOperation } from '../../../../shared/schemas/api'
import { inviteRequestLinkOf } from '../../../services/invite-requests'
import { defineApiRoute } from '../../../utils/api-route'

export const operation = defineOperation({
  summary: 'The event and address of a confirmation link; changes nothing (link scanners open it).',
  tag: 'public',
  public: true,
  params: LinkTokenParamsSchema,
  responses: {
    200: { description: 'The event and the address the invitation would go to.', schema: InviteRequestLinkSchema },
    404: { description: 'The link is not valid.' },
    410: { description: 'The link has expired.' },
  },
})

export default defineApiRoute(operation, async (_event, { params: { token } }) => {
  const link = await inviteRequestLinkOf(token)
  if (!link) throw createError({ statusCode: 404, message: 'This confirmation link is not valid.' })
  if ('expired' in link) throw createError({ statusCode: 410, message: 'This link has expired; ask for the invitation again on the event’s page.' })
  return link
})
