// "Email me the report": the attendee report as a CSV attachment, to the caller's own address.
import { EventParamsSchema } from '../../../../../shared/schemas/invites'
import { emailAttendeeReport } from '../../../../services/reports'
import { requireOwnEvent } from '../../../../utils/caller'
import { validParams } from '../../../../utils/validation'

export default defineEventHandler(async (event) => {
  const { uid } = validParams(event, EventParamsSchema)
  const { caller } = await requireOwnEvent(event, uid)
  await emailAttendeeReport(uid, caller.email)
  setResponseStatus(event, 202)
  return { message: `The report is on its way to ${caller.email}.` }
})
