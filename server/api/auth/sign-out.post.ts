// Ends the dashboard session (clears the sealed cookie).
import { sessionSettings } from '../../services/sign-in'

export default defineEventHandler(async (event) => {
  await clearUserSession(event, sessionSettings())
  return { signedOut: true }
})
