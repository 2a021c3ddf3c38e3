/**
 * The mail store: raw RFC 5322 messages in the S3 mail bucket, one object per message,
 * under the prefix of the mailbox it was sent to (`create/`, `rsvp/`, `bulk/`), as the SES
 * receipt rule writes them.
 */
import { GetObjectCommand, PutObjectCommand, ListObjectsV2Command, NoSuchKey } from '@aws-sdk/client-s3'
import { clients } from './clients'
import { config } from '../config'

export async function putRawMail(key: string, raw: Uint8Array | string): Promise<void> {
  await clients().s3.send(
    new PutObjectCommand({ Bucket: config().mailBucket, Key: key, Body: raw, ContentType: 'message/rfc822' }),
  )
}

/** The raw bytes of a stored message, or undefined when there is no such object. */
export async function getRawMail(key: string): Promise<Uint8Array | undefined> {
  try {
    const object = await clients().s3.send(new GetObjectCommand({ Bucket: config().mailBucket, Key: key }))
    return await object.Body!.transformToByteArray()
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined
    throw error
  }
}

/** Keys under a prefix, oldest listing order first (S3 lists lexicographically). */
export async function listRawMail(prefix: string): Promise<string[]> {
  const keys: string[] = []
  let token: string | undefined
  do {
    const page = await clients().s3.send(
      new ListObjectsV2Command({ Bucket: config().mailBucket, Prefix: prefix, ContinuationToken: token }),
    )
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key)
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return keys
}
