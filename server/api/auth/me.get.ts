// Who is signed in, and what they oversee; 401 otherwise.
import { requireCaller } from '../../utils/caller'

export default defineEventHandler(async (event) => {
  const { email, systemOwner, ownedDomains } = await requireCaller(event)
  return { email, systemOwner, ownedDomains }
})
