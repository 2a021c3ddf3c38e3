// Every attendee of one of the caller's events as a CSV download.
import { z } from 'zod'
import { EventParamsSchema } from '../../../../shared/schemas/events'
import { defineOperation } from '../../../../shared/schemas/api'
import { attendeeReport } from '../../../services/reports'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnEvent } from '../../../utils/caller'

export const operation = defineOperation({
  summary: "Every attendee as a CSV download (header row; formula-like cells prefixed with ').",
  tag: 'events',
  params: EventParamsSchema,
  responses: { 200: { description: 'The CSV file.', contentType: 'text/csv', schema: z.string() } },
})

export default defineApiRoute(operation, async (event, { params: { uid } }) => {
  await requireOwnEvent(event, uid)
  const report = await attendeeReport(uid)
  if (!report) throw createError({ statusCode: 404, message: 'There is no such event among yours.' })
  setResponseHeaders(event, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${report.fileName}"`,
    'cache-control': 'private, no-store',
  })
  return report.csv
})
