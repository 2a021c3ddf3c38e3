/**
 * What `npm run deploy` says when it cannot go on: one sentence that names the fix. The
 * command prints the message alone (no stack trace) and exits 1.
 */
export class DeployError extends Error {
  override name = 'DeployError'
}

interface AwsFailure {
  name?: string
  Code?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

const AGAIN = 'then run npm run deploy again'

/**
 * The sentence for an AWS SDK failure of `doing` (e.g. "create the change set"): credentials
 * missing, expired or refused, and permissions, which every step can meet; anything else keeps
 * AWS's own message, which names the resource and the problem.
 */
export function explainAwsError(error: unknown, doing: string): DeployError {
  if (error instanceof DeployError) return error
  const failure = (error ?? {}) as AwsFailure
  const code = failure.name ?? failure.Code ?? ''
  const message = (failure.message ?? String(error)).trim().replace(/\.$/, '')
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new DeployError(`No AWS credentials were found: run \`aws configure\` (or \`aws sso login\`), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ${AGAIN}.`)
  }
  if (/^(ExpiredToken|ExpiredTokenException|TokenRefreshRequired)$/.test(code) || /token .*expired/i.test(message)) {
    return new DeployError(`Your AWS credentials have expired: sign in again (\`aws sso login\`, or new access keys), ${AGAIN}.`)
  }
  if (/^(InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClientException|InvalidAccessKeyId)$/.test(code)) {
    return new DeployError(`AWS refused the credentials in use (${code}): check AWS_PROFILE or the access keys, ${AGAIN}.`)
  }
  if (/^(AccessDenied|AccessDeniedException|UnauthorizedOperation)$/.test(code) || failure.$metadata?.httpStatusCode === 403) {
    return new DeployError(`Your AWS identity may not ${doing} (${message}): deploy as an administrator of the account, or grant that permission, ${AGAIN}.`)
  }
  return new DeployError(`Could not ${doing}: ${message}.`)
}
