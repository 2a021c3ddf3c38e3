/**
 * AWS SDK v3 clients built from configuration. The same clients talk to AWS or to the
 * local stand-ins; only the endpoint (and, locally, fixed credentials) differ.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { SQSClient } from '@aws-sdk/client-sqs'
import { SESv2Client } from '@aws-sdk/client-sesv2'
import { config, type AppConfig } from '../config'

/** s3rver only accepts these; the other local servers accept anything. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

/** Read-only: each is a getter that builds its client once (an assignment would throw). */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient
  readonly documents: DynamoDBDocumentClient
  readonly s3: S3Client
  readonly sqs: SQSClient
  readonly ses: SESv2Client
}

export function createClients(cfg: AppConfig): AwsClients {
  const local = cfg.stack === 'local'
  const base = { region: cfg.region, ...(local ? { credentials: LOCAL_CREDENTIALS } : {}) }
  // Each client is built when first used (a few ms each, resolving its configuration): a
  // cold start then builds only those its first request needs (a page: DynamoDB alone).
  let dynamodb: DynamoDBClient | undefined
  let documents: DynamoDBDocumentClient | undefined
  let s3: S3Client | undefined
  let sqs: SQSClient | undefined
  let ses: SESv2Client | undefined
  return {
    get dynamodb() {
      return (dynamodb ??= new DynamoDBClient({ ...base, endpoint: cfg.endpoints.dynamodb }))
    },
    get documents() {
      return (documents ??= DynamoDBDocumentClient.from(this.dynamodb, {
        marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
      }))
    },
    get s3() {
      return (s3 ??= new S3Client({
        ...base,
        endpoint: cfg.endpoints.s3,
        forcePathStyle: local,
        // s3rver stores streamed uploads corrupted when the SDK adds flexible checksums.
        ...(local ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
      }))
    },
    get sqs() {
      return (sqs ??= new SQSClient({ ...base, endpoint: cfg.endpoints.sqs }))
    },
    // One attempt per call: retries go through sendWithRetry (ses-retry.ts), where each
    // attempt takes a slot of the shared send rate; the SDK's own would bypass it.
    get ses() {
      return (ses ??= new SESv2Client({ ...base, endpoint: cfg.endpoints.ses, maxAttempts: 1 }))
    },
  }
}

let cached: AwsClients | undefined
/** Process-wide clients (one connection pool per Lambda container). */
export function clients(): AwsClients {
  cached ??= createClients(config())
  return cached
}
export function resetClients() {
  cached = undefined
}
