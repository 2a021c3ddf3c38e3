// Every attendee of one of the caller's events as a CSV download.
import { EventParamsSchema } from '../../../../shared/schemas/events'
import { attendeeReport } from '../../../services/reports'
import { requireOwnEvent } from '../../../utils/caller'
import { validParams } from '../../../utils/validation'

export default defineEventHandler(async (event) => {
  const { uid } = validParams(event, EventParamsSchema)
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
