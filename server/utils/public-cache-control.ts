/**
 * How long caches in front of the server (a CDN, the browser) may keep a public page or a
 * public API answer. Together with the server's own memory (PUBLIC_CACHE_SECONDS) this
 * bounds how long an organizer's change takes to show: at most PUBLIC_CACHE_SECONDS +
 * EDGE_SECONDS + STALE_SECONDS behind a CDN (35 s), PUBLIC_CACHE_SECONDS + BROWSER_SECONDS
 * for a visitor reloading the page without one (10 s).
 */
import { getResponseHeader, setResponseHeader, type H3Event } from 'h3'

/** The browser keeps an answer this long without asking again. */
export const BROWSER_SECONDS = 5
/** A shared cache (CDN) serves an answer this long without asking the server. */
export const EDGE_SECONDS = 15
/** …and then this long more while it asks again in the background. */
export const STALE_SECONDS = 15

export const PUBLIC_CACHE_CONTROL = `public, max-age=${BROWSER_SECONDS}, s-maxage=${EDGE_SECONDS}, stale-while-revalidate=${STALE_SECONDS}`

/** The public pages and public API answers anyone may see the same way (no caller's data in them). */
const PUBLIC_PATHS = [/^\/$/, /^\/organizers\/[^/]+$/, /^\/domains\/[^/]+$/, /^\/events\/[^/]+$/, /^\/api\/events\/upcoming$/, /^\/api\/public\//]

export const isPublicPath = (path: string) => PUBLIC_PATHS.some((pattern) => pattern.test(path.split('?')[0]!))

/**
 * Lets caches keep this answer, unless it is for a caller with credentials (already marked
 * `no-store` by 01.security-headers.ts, which stays: what they see may differ).
 */
export function allowPublicCaching(event: H3Event): void {
  if (getResponseHeader(event, 'cache-control') === 'no-store') return
  setResponseHeader(event, 'cache-control', PUBLIC_CACHE_CONTROL)
}
