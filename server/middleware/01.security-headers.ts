/**
 * The response headers that depend on the run time, beside nuxt-security's (nuxt.config.ts,
 * fixed when the app is built): HSTS when the site is served over https (CIS_SITE_URL), and
 * `Cache-Control: no-store` on every answer to a caller with credentials (the session cookie,
 * an API token, a sign-in link's token), so no cache keeps what only they may see.
 */
import { getRequestHeader, setResponseHeader, type H3Event } from 'h3'
import { config } from '../config'
import { sealedSessionOf } from '../utils/session-cookie'

const carriesCredentials = (event: H3Event) =>
  getRequestHeader(event, 'authorization') !== undefined || sealedSessionOf(event) !== null || event.path.startsWith('/sign-in/verify')

export default defineEventHandler((event) => {
  if (config().siteUrl.startsWith('https://')) setResponseHeader(event, 'strict-transport-security', 'max-age=15552000; includeSubDomains')
  if (carriesCredentials(event)) setResponseHeader(event, 'cache-control', 'no-store')
})
