/**
 * The queue handlers of `npm run load`, in a process of their own as they run locally
 * (server/local/dev.ts): the inbound, send and SES-events pollers with dev's concurrency,
 * against the stack its environment names. Prints `ready` once polling; on SIGTERM stops
 * polling, finishes the batches in flight and exits.
 */
import { startQueuePoller } from '../../server/local/poller'
import { handleInboundMail } from '../../server/queues/inbound-mail'
import { handleSendQueue } from '../../server/queues/send'
import { handleSesEvents } from '../../server/queues/ses-events'

const pollers = [
  startQueuePoller({ queue: 'inbound', handler: handleInboundMail, concurrency: 5, waitSeconds: 1 }),
  startQueuePoller({ queue: 'send', handler: handleSendQueue, concurrency: 5, waitSeconds: 1 }),
  startQueuePoller({ queue: 'sesEvents', handler: handleSesEvents, waitSeconds: 1 }),
]
process.stdout.write('ready\n')
process.once('SIGTERM', () => {
  void Promise.all(pollers.map((poller) => poller.stop())).then(() => process.exit(0))
})
