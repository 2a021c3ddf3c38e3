/** Signing in on the built app as a person would: ask for the link, take it from the local SES, open it. */
import { expect } from 'vitest'
import PostalMime from 'postal-mime'
import { fetch } from '@nuxt/test-utils/e2e'
import { EntityRepository } from 'dynamodb-toolbox'
import { rawSentMail } from '../integration/support'
import { SignInRateEntity } from '../../server/aws/table'
import { SIGN_IN_LIMITS } from '../../server/services/sign-in'

/**
 * Every suite signs its people in from this machine, more than the per-client limit allows
 * in one window: each sign-in here forgets the requests counted for this machine's address
 * first (the limit itself is tested on its own, without this helper).
 */
export async function forgetThisMachinesSignIns() {
  const windowMs = SIGN_IN_LIMITS.windowMinutes * 60_000
  const window = new Date(Math.floor(Date.now() / windowMs) * windowMs).toISOString()
  const rates = SignInRateEntity.build(EntityRepository)
  await Promise.all(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map((ip) => rates.delete({ subject: `ip:${ip}`, window })))
}

/** Asks for a sign-in link for `email` and opens it: the link's answer (a redirect that sets the session cookie). */
export async function openSignInLink(email: string): Promise<Response> {
  await forgetThisMachinesSignIns()
  const since = Date.now()
  const asked = await fetch('/api/auth/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) })
  expect(asked.status).toBe(202)
  const [mail] = await rawSentMail(since, email)
  const text = (await PostalMime.parse(mail!.raw)).text ?? ''
  const url = new URL(/^(http\S+\/sign-in\/verify\?token=\S+)$/m.exec(text)![1]!)
  return await fetch(url.pathname + url.search, { redirect: 'manual' })
}

/** The `Set-Cookie` line of the session cookie in `response`, if it sets one. */
export const sessionSetCookie = (response: Response) => response.headers.getSetCookie().find((line) => line.startsWith('nuxt-session='))

/** Signs `email` in through the mailed link and returns the session cookie (`name=value`). */
export async function signIn(email: string): Promise<string> {
  const set = sessionSetCookie(await openSignInLink(email))
  expect(set).toBeDefined()
  return set!.split(';')[0]!
}
