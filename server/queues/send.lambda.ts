// Lambda entry of the send function (built by server/queues/build/nitro.config.ts): it
// consumes the send queue and the SES events queue, told apart by the record's source.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { config } from '../config'
import { logger } from '../log'
import { handleSendQueue } from './send'
import { handleSesEvents } from './ses-events'
import { useMailTemplates } from '../templates/in-use'

// The deployer's mail templates (CIS_TEMPLATES_DIR or CIS_TEMPLATES_S3_PREFIX) are read and
// checked when the function starts (Lambda waits for a module's top-level await), so a bad
// one stops it at once, naming the file, rather than failing each message.
await useMailTemplates()

// `context` is Lambda's; a test calling the built handler may leave it out.
export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  if (context) logger.addContext(context)
  const sesEventsQueue = config().queues.sesEvents.split('/').pop()!
  // One event source mapping per queue, so a batch never mixes the two.
  const fromSesEvents = event.Records.length > 0 && event.Records[0]!.eventSourceARN.endsWith(`:${sesEventsQueue}`)
  return fromSesEvents ? handleSesEvents(event) : handleSendQueue(event)
}
