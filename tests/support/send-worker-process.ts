/**
 * A send worker in a process of its own, for tests that kill it mid-batch (as Lambda's
 * runtime can die): polls the send queue named by its environment until it is killed.
 */
const { startQueuePoller } = await import('../../server/local/poller')
const { createSendHandler } = await import('../../server/queues/send')
const { createLogger } = await import('../../server/log')
// Its log lines on stdout whatever level the tests run at: the test waits for a send.
const log = createLogger({ logLevel: 'INFO', output: (line) => process.stdout.write(`${line}\n`) })
// CIS_TEST_LIST_CHUNK_ROWS: smaller chunks of a list between progress updates, so a test can kill it between two.
const listChunkRows = process.env.CIS_TEST_LIST_CHUNK_ROWS ? Number(process.env.CIS_TEST_LIST_CHUNK_ROWS) : undefined
startQueuePoller({ queue: 'send', handler: createSendHandler({ log, listChunkRows }), waitSeconds: 1 })
process.stdout.write('ready\n')
export {}
