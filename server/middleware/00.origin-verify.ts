/**
 * Deployed, the site is reached only through its CloudFront distribution, which adds the
 * header `x-cis-origin-verify` (infra/template.yaml) to each request it forwards. A request
 * without it came to the HTTP API directly, where its X-Forwarded-For is the caller's own
 * writing: refused, so rate limits by client address (CIS_TRUSTED_PROXIES) hold. Off when
 * CIS_ORIGIN_VERIFY is unset (the local stack, tests).
 */
import { timingSafeEqual } from 'node:crypto'
import { getRequestHeader, setResponseHeader, setResponseStatus } from 'h3'
import { config } from '../config'

export const ORIGIN_VERIFY_HEADER = 'x-cis-origin-verify'

function matches(given: string | undefined, expected: string) {
  if (given === undefined) return false
  const [a, b] = [Buffer.from(given), Buffer.from(expected)]
  return a.length === b.length && timingSafeEqual(a, b)
}

export default defineEventHandler((event) => {
  const expected = config().originVerify
  if (expected && !matches(getRequestHeader(event, ORIGIN_VERIFY_HEADER), expected)) {
    // Plain text, before the app: nothing of the site (pages, error page) is served this way.
    setResponseStatus(event, 403)
    setResponseHeader(event, 'content-type', 'text/plain; charset=utf-8')
    return "This address answers only through the site's own address (its CloudFront distribution)."
  }
})
