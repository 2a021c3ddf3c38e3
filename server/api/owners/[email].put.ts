// Grant, change or (with nothing granted) remove a person's owner rights (system owners only).
import { OwnerGrantSchema, OwnerParamsSchema } from '../../../shared/schemas/owners'
import { rolesOf, setOwner } from '../../services/owners'
import { requireCaller, requireSystemOwner } from '../../utils/caller'
import { validBody, validParams } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const { email } = validParams(event, OwnerParamsSchema)
  const grant = await validBody(event, OwnerGrantSchema)
  const caller = await requireCaller(event)
  requireSystemOwner(caller)
  if ((await rolesOf(email)).configured && !grant.systemOwner) {
    throw createError({ statusCode: 422, message: `${email} is a system owner by configuration (CIS_OWNER_EMAILS) and stays one.` })
  }
  await setOwner(email, grant, caller.email)
  return { email, ...(await rolesOf(email)) }
})
