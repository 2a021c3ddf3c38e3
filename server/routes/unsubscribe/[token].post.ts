// One-click unsubscribe (RFC 8058): mail clients POST "List-Unsubscribe=One-Click" here; the page at the same address asks a person first.
import { unsubscribeByToken } from '../../services/invitations'

export default defineEventHandler(async (event) => {
  const token = getRouterParam(event, 'token') ?? ''
  const done = await unsubscribeByToken(token)
  if (!done) throw createError({ statusCode: 404, message: 'This unsubscribe link is not valid.' })
  return { unsubscribed: true, message: `${done.email} will get no more mail from this server.` }
})
