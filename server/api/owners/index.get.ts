// Every owner and what they oversee (system owners only).
import { listOwners } from '../../services/owners'
import { requireCaller, requireSystemOwner } from '../../utils/caller'

export default defineEventHandler(async (event) => {
  requireSystemOwner(await requireCaller(event))
  return { owners: await listOwners() }
})
