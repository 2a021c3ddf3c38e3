/** The parts of the Lambda event shapes our handlers read (SQS batches of S3 notifications). */
export interface SQSRecord {
  messageId: string
  receiptHandle: string
  body: string
  attributes: Record<string, string>
  messageAttributes: Record<string, unknown>
  md5OfBody: string
  eventSource: 'aws:sqs'
  eventSourceARN: string
  awsRegion: string
}
export interface SQSEvent {
  Records: SQSRecord[]
}
export interface SQSBatchResponse {
  batchItemFailures: { itemIdentifier: string }[]
}

export interface S3EventRecord {
  eventSource: 'aws:s3'
  eventName: string
  eventTime: string
  s3: { bucket: { name: string }; object: { key: string; size?: number } }
}

/**
 * The S3 object keys an SQS message body announces. S3 notifications URL-encode keys
 * (with `+` for spaces); S3's test event (`s3:TestEvent`) carries no records.
 */
export function objectKeysOf(body: string): { bucket: string; key: string }[] {
  const parsed = JSON.parse(body) as { Records?: S3EventRecord[]; Event?: string }
  return (parsed.Records ?? [])
    .filter((record) => record.eventSource === 'aws:s3' && record.eventName.startsWith('ObjectCreated'))
    .map((record) => ({
      bucket: record.s3.bucket.name,
      key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')),
    }))
}
