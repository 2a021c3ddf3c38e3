// Mails a single-use sign-in link: 202 with the same sentence for every address, 429 when rate-limited.
import { createError, defineEventHandler, setResponseStatus } from 'h3'
import { requestSignIn, SignInBodySchema } from '../../services/sign-in'
import { clientAddress } from '../../utils/client-address'
import { validBody } from '../../utils/validation'

export default defineEventHandler(async (event) => {
  const { email } = await validBody(event, SignInBodySchema)
  // Limited per the address the platform saw, never per an X-Forwarded-For entry the client wrote.
  const result = await requestSignIn(email, clientAddress(event))
  if (result.outcome === 'rate-limited') throw createError({ statusCode: 429, message: result.message })
  if (result.outcome === 'invalid') throw createError({ statusCode: 400, message: result.message })
  setResponseStatus(event, 202)
  return { message: result.message }
})
