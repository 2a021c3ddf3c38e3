/**
 * The mailer: sends complete MIME messages through SES v2 (`Content.Raw`), so calendar
 * invitations keep the exact structure Gmail, Outlook and Apple need.
 */
import { SendEmailCommand } from '@aws-sdk/client-sesv2'
import { clients } from './clients'
import { config } from '../config'

export interface RawMail {
  from: string
  to: string[]
  raw: Uint8Array | string
}

/** Sends one raw message; returns the SES message id. */
export async function sendRawMail(mail: RawMail): Promise<string> {
  const data = typeof mail.raw === 'string' ? new TextEncoder().encode(mail.raw) : mail.raw
  const answer = await clients().ses.send(
    new SendEmailCommand({
      FromEmailAddress: mail.from,
      Destination: { ToAddresses: mail.to },
      Content: { Raw: { Data: data } },
      // Its event destination reports bounces and complaints to the SES events queue.
      ConfigurationSetName: config().sesConfigurationSet ?? undefined,
    }),
  )
  return answer.MessageId ?? ''
}
