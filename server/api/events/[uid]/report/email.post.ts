// "Email me the report": the attendee report as a CSV attachment, to the caller's own address.
import { EventParamsSchema } from '../../../../../shared/schemas/invites'
import { MessageSchema, defineOperation } from '../../../../../shared/schemas/api'
import { emailAttendeeReport } from '../../../../services/reports'
import { defineApiRoute } from '../../../../utils/api-route'
import { requireOwnEvent } from '../../../../utils/caller'

export const operation = defineOperation({
  summary: 'Email the attendee report (CSV attached) to the caller.',
  tag: 'events',
  params: EventParamsSchema,
  responses: { 202: { description: 'The report is queued for sending to the caller.', schema: MessageSchema } },
})

export default defineApiRoute(operation, async (event, { params: { uid } }) => {
  const { caller } = await requireOwnEvent(event, uid)
  await emailAttendeeReport(uid, caller.email)
  setResponseStatus(event, 202)
  return { message: `The report is on its way to ${caller.email}.` }
})
