/**
 * The AWS clients `npm run deploy` uses, all in the stack's region, with the credentials the
 * SDK finds the usual way (environment, AWS_PROFILE, SSO, instance role). `endpoint` sends
 * every call to one other server instead (tests: a replay of recorded AWS answers).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { SESv2Client } from '@aws-sdk/client-sesv2'
import { STSClient } from '@aws-sdk/client-sts'

export interface DeployClients {
  cloudFormation: CloudFormationClient
  s3: S3Client
  ses: SESv2Client
  sts: STSClient
  dynamodb: DynamoDBClient
}

export function deployClients(region: string, endpoint?: { url: string; credentials: { accessKeyId: string; secretAccessKey: string } }): DeployClients {
  const common = { region, ...(endpoint ? { endpoint: endpoint.url, credentials: endpoint.credentials } : {}) }
  return {
    cloudFormation: new CloudFormationClient(common),
    // Path-style only against another endpoint: AWS itself takes virtual-hosted names.
    s3: new S3Client({ ...common, ...(endpoint ? { forcePathStyle: true } : {}) }),
    ses: new SESv2Client(common),
    sts: new STSClient(common),
    dynamodb: new DynamoDBClient(common),
  }
}
