/**
 * A queue function (the send worker or the inbound handler) in a process of its own, as a
 * Lambda container runs it, for fault tests that kill it mid-batch or take its services
 * away: `node --import tsx queue-worker-process.ts <send|inbound>` polls that queue of the
 * stack its CIS_* environment names until it is killed. Writes `ready` once polling.
 *
 * Test knobs, so retries come back in seconds rather than the deployed minutes:
 * CIS_TEST_VISIBILITY_SECONDS (how long a received batch stays hidden), CIS_TEST_BACKOFF_SECONDS
 * (the send worker's first retry delay) and CIS_TEST_CLAIM_LEASE_MS (how long a send claim
 * of a dead worker blocks before it is settled as `unknown`).
 */
const { startQueuePoller } = await import('../../server/local/poller')
const { createSendHandler } = await import('../../server/queues/send')
const { handleInboundMail } = await import('../../server/queues/inbound-mail')
const { createLogger } = await import('../../server/log')

const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined)
const queue = process.argv[2]
if (queue !== 'send' && queue !== 'inbound') throw new Error(`queue-worker-process: no queue called "${queue}" (send or inbound).`)
// Warnings and errors on stderr: a failing fault test shows what its worker went through.
const log = createLogger({ logLevel: 'WARN', output: (line) => process.stderr.write(`${line}\n`) })
const handler =
  queue === 'send'
    ? createSendHandler({ log, backoffSeconds: number('CIS_TEST_BACKOFF_SECONDS'), claimLeaseMs: number('CIS_TEST_CLAIM_LEASE_MS') })
    : (event: Parameters<typeof handleInboundMail>[0]) => handleInboundMail(event, { log })
startQueuePoller({ queue, handler, waitSeconds: 1, visibilityTimeout: number('CIS_TEST_VISIBILITY_SECONDS'), log: (line) => process.stderr.write(`${line}\n`) })
process.stdout.write('ready\n')
export {}
