// Mails a single-use sign-in link: 202 with the same sentence for every address, 429 when rate-limited.
import type { H3Event } from 'h3'
import { requestSignIn, SignInBodySchema } from '../../services/sign-in'
import { validBody } from '../../utils/validation'

// The hop API Gateway (or the local proxy) appended last: earlier X-Forwarded-For entries are the client's to forge.
const clientIp = (event: H3Event) => getRequestHeader(event, 'x-forwarded-for')?.split(',').at(-1)?.trim() || getRequestIP(event) || 'unknown'

export default defineEventHandler(async (event) => {
  const { email } = await validBody(event, SignInBodySchema)
  const result = await requestSignIn(email, clientIp(event))
  if (result.outcome === 'rate-limited') throw createError({ statusCode: 429, message: result.message })
  if (result.outcome === 'invalid') throw createError({ statusCode: 400, message: result.message })
  setResponseStatus(event, 202)
  return { message: result.message }
})
