// Mails a single-use sign-in link (leading to `next` once opened): 202 with the same sentence for every address, 429 when rate-limited.
import { createError, setResponseStatus } from 'h3'
import { SignInBodySchema } from '../../../shared/schemas/auth'
import { MessageSchema, defineOperation } from '../../../shared/schemas/api'
import { requestSignIn } from '../../services/sign-in'
import { defineApiRoute } from '../../utils/api-route'
import { clientAddress } from '../../utils/client-address'

export const operation = defineOperation({
  summary: 'Mails a single-use sign-in link (the same answer for every address).',
  tag: 'auth',
  public: true,
  body: SignInBodySchema,
  responses: {
    202: { description: 'The link is on its way if the address may sign in.', schema: MessageSchema },
    429: { description: 'Too many requests.' },
  },
})

export default defineApiRoute(operation, async (event, { body }) => {
  // Limited per the address the platform saw, never per an X-Forwarded-For entry the client wrote.
  const result = await requestSignIn(body.email, clientAddress(event), {}, body.next)
  if (result.outcome === 'rate-limited') throw createError({ statusCode: 429, message: result.message })
  if (result.outcome === 'invalid') throw createError({ statusCode: 400, message: result.message })
  setResponseStatus(event, 202)
  return { message: result.message }
})
