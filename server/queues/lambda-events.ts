import type { S3Event } from 'aws-lambda'

/**
 * The S3 object keys an SQS message body announces. S3 notifications URL-encode keys
 * (with `+` for spaces); S3's test event (`s3:TestEvent`) carries no records.
 */
export function objectKeysOf(body: string): { bucket: string; key: string }[] {
  const parsed = JSON.parse(body) as Partial<S3Event> & { Event?: string }
  return (parsed.Records ?? [])
    .filter((record) => record.eventSource === 'aws:s3' && record.eventName.startsWith('ObjectCreated'))
    .map((record) => ({
      bucket: record.s3.bucket.name,
      key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')),
    }))
}
