/**
 * Mail templates a deployer keeps in the mail bucket, one object per file directly under a
 * prefix of their choosing (CIS_TEMPLATES_S3_PREFIX, such as `templates/`, giving
 * `templates/invitation.html`). Read once, when a process starts.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { clients } from './clients'
import { config } from '../config'

/** The objects directly under `prefix` whose file name `wanted` accepts, with their text (UTF-8). */
export async function readTemplateObjects(prefix: string, wanted: (fileName: string) => boolean): Promise<{ key: string; fileName: string; text: string }[]> {
  const bucket = config().mailBucket
  const keys: string[] = []
  let token: string | undefined
  do {
    // The delimiter leaves out deeper keys, as a folder's subfolders are left out.
    const page = await clients().s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }))
    for (const object of page.Contents ?? []) if (object.Key && wanted(object.Key.slice(prefix.length))) keys.push(object.Key)
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return Promise.all(
    keys.sort().map(async (key) => {
      const object = await clients().s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      return { key, fileName: key.slice(prefix.length), text: await object.Body!.transformToString('utf-8') }
    }),
  )
}
