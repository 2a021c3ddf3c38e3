/**
 * What `npm run deploy` checks before it builds or makes anything: credentials that work (and
 * whose account they are), a region where SES receives mail, and the account's SES standing
 * there (sandbox or not, its send rate), which becomes the stack's SendRate.
 */
import { GetAccountCommand } from '@aws-sdk/client-sesv2'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { sesReceivesMailIn, sesReceivingRegionsInWords } from '../../infra/ses-receiving-regions'
import type { DeployClients } from './deploy-clients'
import { DeployError, explainAwsError } from './deploy-error'

export interface AccountStanding {
  account: string
  /** Messages per second SES allows this account here (whole, at least 1). */
  sendRate: number
  /** Still in the SES sandbox: mail goes only to verified addresses. */
  sandbox: boolean
  /** Sentences to show before going on (nothing that stops the deploy). */
  notices: string[]
}

export async function checkAccount(clients: DeployClients, region: string): Promise<AccountStanding> {
  if (!sesReceivesMailIn(region)) {
    throw new DeployError(`SES does not receive email in ${region}: deploy with --region set to one of ${sesReceivingRegionsInWords()}.`)
  }
  const identity = await clients.sts.send(new GetCallerIdentityCommand({})).catch((error) => {
    throw explainAwsError(error, 'read who the credentials belong to (sts:GetCallerIdentity)')
  })
  const ses = await clients.ses.send(new GetAccountCommand({})).catch((error) => {
    throw explainAwsError(error, `read the SES account in ${region} (ses:GetAccount)`)
  })
  const notices: string[] = []
  const sandbox = ses.ProductionAccessEnabled !== true
  if (sandbox) {
    notices.push(
      `SES is in the sandbox in ${region}: until AWS grants production access, invitations reach only addresses verified in SES (request it in the SES console under "Get set up", or with \`aws sesv2 put-account-details --production-access-enabled …\`).`,
    )
  }
  if (ses.SendingEnabled === false) notices.push(`Sending is paused for this account in ${region}: SES sends nothing until you resume it (aws sesv2 put-account-sending-attributes --sending-enabled).`)
  const sendRate = Math.max(1, Math.floor(ses.SendQuota?.MaxSendRate ?? 1))
  return { account: identity.Account!, sendRate, sandbox, notices }
}
