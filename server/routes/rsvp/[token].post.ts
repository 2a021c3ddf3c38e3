// The answer page's button: records the attendee's answer as a calendar REPLY would; the page at the same address shows it first.
import { LinkTokenParamsSchema, WebAnswerQuerySchema, WebAnswerRecordedSchema } from '../../../shared/schemas/invite-requests'
import { defineOperation } from '../../../shared/schemas/api'
import { answerByToken } from '../../services/web-answers'
import { defineApiRoute } from '../../utils/api-route'
import { isPlainFormPost, refusePostFromOtherSites } from '../../utils/plain-form'

export const operation = defineOperation({
  summary: 'Records the answer of a web answer link (Yes, Maybe or No) for the attendee it was sent to.',
  tag: 'public',
  public: true,
  params: LinkTokenParamsSchema,
  query: WebAnswerQuerySchema,
  responses: {
    200: { description: 'The answer is recorded.', schema: WebAnswerRecordedSchema },
    303: { description: 'The page\'s form posted without JavaScript (urlencoded): back to the page, which shows the answer now recorded.' },
    403: { description: 'A form posted from another site.' },
    404: { description: 'The link is not valid.' },
    409: { description: 'The answer was not recorded (the event is cancelled, or a newer answer is already there).' },
  },
})

export default defineApiRoute(operation, async (event, { params: { token }, query: { answer } }) => {
  const plainForm = isPlainFormPost(event)
  if (plainForm) refusePostFromOtherSites(event)
  const result = await answerByToken(token, answer)
  // The page shows the answer the table now holds (and a cancelled event as such) by itself.
  if (plainForm && result) return sendRedirect(event, `/rsvp/${encodeURIComponent(token)}?${new URLSearchParams({ answer })}`, 303)
  if (!result) throw createError({ statusCode: 404, message: 'This answer link is not valid.' })
  if (result.outcome === 'refused') throw createError({ statusCode: 409, message: result.message })
  return { answer: result.answer, message: result.message }
})
