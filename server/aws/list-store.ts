/**
 * Invitation list files in the mail bucket, under `lists/` (apart from the mailbox prefixes
 * where received mail lands). A browser uploads a large file straight here through a
 * presigned PUT (the web function never holds it: API Gateway would also mangle a binary
 * body), and the list worker reads it back as a stream.
 */
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { Readable } from 'node:stream'
import { clients } from './clients'
import { config } from '../config'

export const LIST_CONTENT_TYPE = 'text/csv'
/** How long an upload URL works. */
const UPLOAD_URL_SECONDS = 15 * 60

export const listFileKey = (listId: string) => `lists/${listId}.csv`

/** A URL the browser PUTs the file to, signed for exactly this size and type, and the headers to send with it. */
export async function listUploadUrl(key: string, size: number): Promise<{ url: string; headers: Record<string, string> }> {
  const command = new PutObjectCommand({ Bucket: config().mailBucket, Key: key, ContentLength: size, ContentType: LIST_CONTENT_TYPE })
  const url = await getSignedUrl(clients().s3, command, { expiresIn: UPLOAD_URL_SECONDS, signableHeaders: new Set(['content-type', 'content-length']) })
  return { url, headers: { 'Content-Type': LIST_CONTENT_TYPE } }
}

export async function putListFile(key: string, body: Uint8Array | string): Promise<void> {
  await clients().s3.send(new PutObjectCommand({ Bucket: config().mailBucket, Key: key, Body: body, ContentType: LIST_CONTENT_TYPE }))
}

/** The stored file's size in bytes, or null when nothing was uploaded. */
export async function listFileSize(key: string): Promise<number | null> {
  try {
    const head = await clients().s3.send(new HeadObjectCommand({ Bucket: config().mailBucket, Key: key }))
    return head.ContentLength ?? 0
  } catch (error) {
    if (error instanceof NotFound || error instanceof NoSuchKey || (error as { name?: string }).name === 'NotFound') return null
    throw error
  }
}

/** The file's bytes as they arrive from S3, never all in memory; null when there is no such file. */
export async function readListFile(key: string): Promise<AsyncIterable<Uint8Array> | null> {
  try {
    const object = await clients().s3.send(new GetObjectCommand({ Bucket: config().mailBucket, Key: key }))
    return object.Body as Readable
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null
    throw error
  }
}
