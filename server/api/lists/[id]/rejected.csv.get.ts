// Every rejected row of an invitation list as a CSV download (row, value, reason).
import { z } from 'zod'
import { ListParamsSchema } from '../../../../shared/schemas/lists'
import { defineOperation } from '../../../../shared/schemas/api'
import { rejectedRowsCsv } from '../../../domain/lists/rejected-rows'
import { allRejectedRows } from '../../../services/invitation-lists'
import { defineApiRoute } from '../../../utils/api-route'
import { requireOwnList } from '../../../utils/caller'

export const operation = defineOperation({
  summary: "The rejected rows of an invitation list as CSV (row, value, reason; formula-like cells prefixed with ').",
  tag: 'invites',
  params: ListParamsSchema,
  responses: { 200: { description: 'The CSV file.', contentType: 'text/csv', schema: z.string() } },
})

export default defineApiRoute(operation, async (event, { params: { id } }) => {
  await requireOwnList(event, id)
  const rows = []
  for await (const row of allRejectedRows(id)) rows.push(row)
  setResponseHeaders(event, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="rejected-rows-${id}.csv"`,
    'cache-control': 'private, no-store',
  })
  return rejectedRowsCsv(rows)
})
