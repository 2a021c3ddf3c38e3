/**
 * The bucket the function zips and the template are uploaded to before CloudFormation reads
 * them (a template over 51,200 bytes must come from S3): one per account and region, made the
 * first time, private. Each file's key carries its content's hash, so an unchanged zip is not
 * uploaded again and a changed one changes the stack's parameter, which makes Lambda take it.
 * Old files are kept (no expiry): a rollback makes Lambda read the previous deploy's zip again.
 */
import { createHash } from 'node:crypto'
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, PutPublicAccessBlockCommand, type BucketLocationConstraint, type S3Client } from '@aws-sdk/client-s3'
import { DeployError, explainAwsError } from './deploy-error'

export const codeBucketName = (account: string, region: string) => `cis-deploy-${account}-${region}`

/** `<stack>/<name>-<first 16 hex of sha-256>.<extension>`. */
export function contentKey(stackName: string, name: string, bytes: Uint8Array, extension: string) {
  return `${stackName}/${name}-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.${extension}`
}

const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode

/** Makes the bucket if it is missing; says so. A name owned by another account is a DeployError. */
export async function ensureCodeBucket(s3: S3Client, bucket: string, region: string, account: string, say: (line: string) => void) {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }))
    return
  } catch (error) {
    const status = statusOf(error)
    if (status === 403) throw new DeployError(`The code bucket name ${bucket} belongs to another account: delete that bucket or deploy from the account that owns it.`)
    if (status !== 404) throw explainAwsError(error, `check the code bucket ${bucket}`)
  }
  say(`making the code bucket ${bucket}`)
  try {
    await s3.send(new CreateBucketCommand({
      Bucket: bucket,
      // us-east-1 is the one region that takes no location constraint.
      ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
    }))
    await s3.send(new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    }))
  } catch (error) {
    throw explainAwsError(error, `make the code bucket ${bucket}`)
  }
}

/** Uploads `bytes` under `key` unless an object is already there (the key names the content). */
export async function uploadOnce(s3: S3Client, bucket: string, key: string, bytes: Uint8Array, contentType: string): Promise<'uploaded' | 'present'> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    return 'present'
  } catch (error) {
    if (statusOf(error) !== 404) throw explainAwsError(error, `read s3://${bucket}/${key}`)
  }
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType })).catch((error) => {
    throw explainAwsError(error, `upload s3://${bucket}/${key}`)
  })
  return 'uploaded'
}
