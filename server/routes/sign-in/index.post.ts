// The sign-in page's form without JavaScript: mails the link as POST /api/auth/sign-in does, then shows the page with the outcome.
import { deleteCookie, getCookie, readBody, setCookie } from 'h3'
import { DEFAULT_AFTER_SIGN_IN, SIGN_IN_NOTICES, SIGN_IN_SENT_TO_COOKIE, SignInFormSchema, afterSignIn, type SignInNotice } from '../../../shared/schemas/auth'
import { defineOperation } from '../../../shared/schemas/api'
import { requestSignIn, SIGN_IN_TOKEN_MINUTES, type SignInRequestOutcome } from '../../services/sign-in'
import { defineApiRoute } from '../../utils/api-route'
import { clientAddress } from '../../utils/client-address'
import { config } from '../../config'

export const operation = defineOperation({
  summary: 'The sign-in form (`application/x-www-form-urlencoded`: `email`, `next`), for browsers without JavaScript.',
  tag: 'auth',
  public: true,
  responses: { 303: { description: 'To /sign-in?notice=sent (or the sentence of a refusal), keeping `next`.' } },
})

const noticeOf = (result: SignInRequestOutcome): SignInNotice =>
  result.outcome === 'rate-limited' ? (result.message === SIGN_IN_NOTICES['hourly-limited'] ? 'hourly-limited' : 'limited') : result.outcome

export default defineApiRoute(operation, async (event) => {
  // Read here rather than by the operation: whatever was posted, the answer is the page, never a JSON 400.
  const form = SignInFormSchema.safeParse(await readBody(event).catch(() => ({})))
  const { email, next } = form.success ? form.data : { email: '', next: undefined }
  const page = afterSignIn(next)
  const result = await requestSignIn(email, clientAddress(event), {}, page)
  // The page says where the last link went and can send it again, without the address in any
  // URL; a refusal for another address forgets it, so "Send again" never names the wrong one.
  const address = email.trim().toLowerCase()
  const cookie = { httpOnly: true, sameSite: 'lax' as const, path: '/sign-in', secure: config().siteUrl.startsWith('https://') }
  if (result.outcome === 'sent') setCookie(event, SIGN_IN_SENT_TO_COOKIE, address, { ...cookie, maxAge: SIGN_IN_TOKEN_MINUTES * 60 })
  else if (getCookie(event, SIGN_IN_SENT_TO_COOKIE) !== address) deleteCookie(event, SIGN_IN_SENT_TO_COOKIE, cookie)
  const query = new URLSearchParams({ notice: noticeOf(result), ...(page === DEFAULT_AFTER_SIGN_IN ? {} : { next: page }) })
  return sendRedirect(event, `/sign-in?${query}`, 303)
})
