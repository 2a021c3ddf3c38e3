/**
 * Uploads dist/aws/assets/ to the stack's assets bucket, each file at its URL path, with the
 * Content-Type and Cache-Control CloudFront passes on. Files already there with the same
 * content (an S3 ETag of a single-part upload is the MD5 of the bytes) are left alone; files
 * of earlier builds stay, because a page loaded before the deploy still asks for its own.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { assetFileFor, type AssetFile } from './assets'
import { explainAwsError } from './deploy-error'

/**
 * Types of the files a Nuxt build and public/ hold; Nitro's own table is not a dependency of
 * ours, and a short list says exactly what the site serves. Anything else is served as bytes.
 */
const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  webmanifest: 'application/manifest+json',
  ics: 'text/calendar; charset=utf-8',
  eml: 'message/rfc822',
}

export function contentTypeFor(urlPath: string) {
  const extension = /\.([a-z0-9]+)$/i.exec(urlPath)?.[1]?.toLowerCase() ?? ''
  return CONTENT_TYPES[extension] ?? 'application/octet-stream'
}

/**
 * `/_nuxt/*` is content-hashed: kept a year. `/_nuxt/builds/*` (the build's manifest and
 * `latest.json`, which tells a running page a new build exists) keeps its name across builds:
 * never kept. public/ files keep their names too: an hour, so a change shows within it.
 */
export function cacheControlFor(urlPath: string) {
  if (urlPath.startsWith('/_nuxt/builds/')) return 'no-cache'
  if (urlPath.startsWith('/_nuxt/')) return 'public, max-age=31536000, immutable'
  return 'public, max-age=3600'
}

const UPLOADS_AT_ONCE = 8

export interface AssetSyncResult {
  uploaded: number
  unchanged: number
  bytes: number
}

async function etagsIn(s3: S3Client, bucket: string) {
  const etags = new Map<string, string>()
  let token: string | undefined
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
    for (const object of page.Contents ?? []) etags.set(object.Key!, (object.ETag ?? '').replaceAll('"', ''))
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return etags
}

export async function syncAssets(s3: S3Client, bucket: string, assetsDir: string, files: AssetFile[]): Promise<AssetSyncResult> {
  const present = await etagsIn(s3, bucket).catch((error) => {
    throw explainAwsError(error, `list the assets bucket ${bucket}`)
  })
  const result: AssetSyncResult = { uploaded: 0, unchanged: 0, bytes: 0 }
  const upload = async (file: AssetFile) => {
    const key = file.urlPath.slice(1)
    const bytes = await readFile(assetFileFor(assetsDir, file.urlPath))
    if (present.get(key) === createHash('md5').update(bytes).digest('hex')) {
      result.unchanged++
      return
    }
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentTypeFor(key), CacheControl: cacheControlFor(file.urlPath) })).catch((error) => {
      throw explainAwsError(error, `upload ${file.urlPath} to the assets bucket ${bucket}`)
    })
    result.uploaded++
    result.bytes += bytes.length
  }
  // A few uploads at a time: a build has a hundred-odd files, each a round trip to S3.
  const queue = [...files]
  await Promise.all(Array.from({ length: UPLOADS_AT_ONCE }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) await upload(file)
  }))
  return result
}
