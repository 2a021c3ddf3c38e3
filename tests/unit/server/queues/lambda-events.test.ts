import { describe, it, expect } from 'vitest'
import { objectKeysOf } from '../../../../server/queues/lambda-events'

const notification = (key: string, eventName = 'ObjectCreated:Put') =>
  JSON.stringify({
    Records: [{ eventSource: 'aws:s3', eventName, eventTime: '2026-11-23T10:00:00.000Z', s3: { bucket: { name: 'cis-mail' }, object: { key, size: 10 } } }],
  })

describe('objectKeysOf', () => {
  it.each([
    ['create/abc123', 'create/abc123'],
    ['create/with+space', 'create/with space'],
    ['rsvp/a%2Bb%40c', 'rsvp/a+b@c'],
  ])('decodes the S3-encoded key %s', (encoded, decoded) => {
    expect(objectKeysOf(notification(encoded))).toEqual([{ bucket: 'cis-mail', key: decoded }])
  })

  it('ignores S3 test events and deletions', () => {
    expect(objectKeysOf(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }))).toEqual([])
    expect(objectKeysOf(notification('create/x', 'ObjectRemoved:Delete'))).toEqual([])
  })
})
