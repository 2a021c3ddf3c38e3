// Grant, change or (with nothing granted) remove a person's owner rights (system owners only).
import { OwnerGrantSchema, OwnerParamsSchema, OwnerViewSchema } from '../../../shared/schemas/owners'
import { defineOperation } from '../../../shared/schemas/api'
import { rolesOf, setOwner } from '../../services/owners'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller, requireSystemOwner } from '../../utils/caller'

export const operation = defineOperation({
  summary: "Grant, change or remove a person's owner rights (system owners only).",
  tag: 'owners',
  params: OwnerParamsSchema,
  body: OwnerGrantSchema,
  responses: {
    200: { description: "The person's roles now.", schema: OwnerViewSchema },
    403: { description: 'Only system owners may do this.' },
    422: { description: 'A configured system owner stays one.' },
  },
})

export default defineApiRoute(operation, async (event, { params: { email }, body: grant }) => {
  const caller = await requireCaller(event)
  requireSystemOwner(caller)
  if ((await rolesOf(email)).configured && !grant.systemOwner) {
    throw createError({ statusCode: 422, message: `${email} is a system owner by configuration (CIS_OWNER_EMAILS) and stays one.` })
  }
  await setOwner(email, grant, caller.email)
  return { email, ...(await rolesOf(email)) }
})
