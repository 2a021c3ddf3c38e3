/** The conditional-GET decision of the public feeds (RFC 9110 §13). */
import { describe, it, expect } from 'vitest'
import { FEED_CACHE_CONTROL, isNotModified } from '../../../../server/utils/http-cache'

const validators = { etag: '"abc"', lastModified: new Date('2027-03-10T12:00:00.750Z') }

describe('isNotModified', () => {
  it.each([
    ['no conditions', {}, false],
    ['the same ETag', { ifNoneMatch: '"abc"' }, true],
    ['the same ETag, weak', { ifNoneMatch: 'W/"abc"' }, true],
    ['the ETag among others', { ifNoneMatch: '"x", "abc"' }, true],
    ['any ETag', { ifNoneMatch: '*' }, true],
    ['another ETag', { ifNoneMatch: '"xyz"' }, false],
    // If-None-Match decides alone when sent (§13.2.2): a matching date does not help.
    ['another ETag with a later If-Modified-Since', { ifNoneMatch: '"xyz"', ifModifiedSince: 'Wed, 10 Mar 2027 13:00:00 GMT' }, false],
    ['the Last-Modified date sent back (whole seconds)', { ifModifiedSince: 'Wed, 10 Mar 2027 12:00:00 GMT' }, true],
    ['a later date', { ifModifiedSince: 'Thu, 11 Mar 2027 00:00:00 GMT' }, true],
    ['an earlier date', { ifModifiedSince: 'Wed, 10 Mar 2027 11:59:59 GMT' }, false],
    ['a date that is none', { ifModifiedSince: 'yesterday' }, false],
  ])('%s', (_, conditions, expected) => {
    expect(isNotModified(conditions, validators)).toBe(expected)
  })

  it('never matches a date when nothing says when the feed changed', () => {
    expect(isNotModified({ ifModifiedSince: 'Wed, 10 Mar 2027 12:00:00 GMT' }, { etag: '"abc"', lastModified: null })).toBe(false)
  })

  it('lets shared caches keep public answers, and serve them stale while they fetch again', () => {
    expect(FEED_CACHE_CONTROL).toMatch(/^public, max-age=\d+, s-maxage=\d+, stale-while-revalidate=\d+$/)
  })
})
