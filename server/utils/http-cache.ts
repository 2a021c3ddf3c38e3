/**
 * Caching of what anyone may read (the public feeds): one Cache-Control for shared caches
 * (a CDN in front of the server), validators (ETag, Last-Modified) and the conditional-GET
 * decision. Written here rather than with h3's handleCacheHeaders, which answers 304 when
 * If-Modified-Since matches even if If-None-Match does not, compares If-None-Match as one
 * literal string (not a list, not weakly), and compares dates to the millisecond although
 * HTTP dates have whole seconds.
 */
import { getRequestHeader, getResponseHeader, setResponseHeader, setResponseStatus, type H3Event } from 'h3'

/**
 * Browsers and shared caches keep a feed five minutes and may serve it for an
 * hour after that while they fetch it again, so a burst of subscribers costs one read a
 * five minutes.
 */
export const FEED_CACHE_CONTROL = 'public, max-age=300, s-maxage=300, stale-while-revalidate=3600'

export interface Validators {
  /** A strong entity tag, quoted. */
  etag: string
  lastModified: Date | null
}

/** The entity tags of an If-None-Match header (`*`, or a list of possibly weak tags). */
const entityTags = (header: string) => header.split(',').map((tag) => tag.trim().replace(/^W\//, '')).filter(Boolean)

/**
 * Whether a GET with these conditions gets 304 (RFC 9110 §13.1.2, §13.1.3, §13.2.2):
 * If-None-Match, when sent, decides alone (weak comparison); otherwise If-Modified-Since
 * matches when the resource changed no later than that date, to the second.
 */
export function isNotModified(conditions: { ifNoneMatch?: string; ifModifiedSince?: string }, validators: Validators): boolean {
  if (conditions.ifNoneMatch !== undefined) {
    const tags = entityTags(conditions.ifNoneMatch)
    return tags.includes('*') || tags.includes(validators.etag.replace(/^W\//, ''))
  }
  if (conditions.ifModifiedSince === undefined || !validators.lastModified) return false
  const since = Date.parse(conditions.ifModifiedSince)
  return Number.isFinite(since) && Math.floor(validators.lastModified.getTime() / 1000) * 1000 <= since
}

/**
 * Sets the validators and the public Cache-Control (unless the security-headers middleware
 * already said no-store: the caller sent credentials) and answers whether the request's
 * conditions match, in which case the status is 304 and the body must be empty.
 */
export function answerConditionally(event: H3Event, validators: Validators): boolean {
  setResponseHeader(event, 'etag', validators.etag)
  if (validators.lastModified) setResponseHeader(event, 'last-modified', validators.lastModified.toUTCString())
  if (!getResponseHeader(event, 'cache-control')) setResponseHeader(event, 'cache-control', FEED_CACHE_CONTROL)
  const notModified = isNotModified({ ifNoneMatch: getRequestHeader(event, 'if-none-match'), ifModifiedSince: getRequestHeader(event, 'if-modified-since') }, validators)
  if (notModified) setResponseStatus(event, 304)
  return notModified
}
