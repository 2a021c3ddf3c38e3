// Lambda entry of the inbound mail function (built by server/queues/build/nitro.config.ts).
import type { Context, SQSEvent } from 'aws-lambda'
import { logger } from '../log'
import { handleInboundMail } from './inbound-mail'

// `context` is Lambda's; a test calling the built handler may leave it out.
export async function handler(event: SQSEvent, context?: Context) {
  if (context) logger.addContext(context)
  return handleInboundMail(event)
}
