// What an unsubscribe link is for (the page shows it before the person confirms); changes nothing.
import { readUnsubscribeToken } from '../../services/invitations'

export default defineEventHandler((event) => {
  const link = readUnsubscribeToken(getRouterParam(event, 'token') ?? '')
  if (!link) throw createError({ statusCode: 404, message: 'This unsubscribe link is not valid.' })
  return { email: link.email }
})
