// The event as a calendar file, from its public page's "Add to calendar": the whole series under the event's own UID, so later updates land on the same entry.
import { z } from 'zod'
import { PublicIdParamsSchema } from '../../../../shared/schemas/public'
import { defineOperation } from '../../../../shared/schemas/api'
import { publishedCalendarOf } from '../../../services/event-page'
import { defineApiRoute } from '../../../utils/api-route'

export const operation = defineOperation({
  summary: 'The event as an iCalendar file (METHOD:PUBLISH, the whole series, no attendees).',
  tag: 'public',
  public: true,
  params: PublicIdParamsSchema,
  responses: {
    200: { description: 'The calendar file.', contentType: 'text/calendar', schema: z.string() },
    404: { description: 'No event has this address.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { publicId } }) => {
  const calendar = await publishedCalendarOf(publicId)
  if (!calendar) throw createError({ statusCode: 404, message: 'There is no event at this address.' })
  setResponseHeaders(event, {
    'content-type': 'text/calendar; charset=utf-8',
    // The file name is ASCII letters, digits and dashes after filtering; the UTF-8 form keeps other scripts.
    'content-disposition': `attachment; filename="${calendar.fileName.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(calendar.fileName)}`,
  })
  return calendar.text
})
