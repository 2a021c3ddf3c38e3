/**
 * One cold start, in plain Node as Lambda's runtime starts it (no loader, no test runner):
 * `node cold-start.mjs path/to/index.mjs EVENT_JSON` imports the handler, calls it once with
 * the event and prints one JSON line: the times since this process started (Node's
 * performance.timeOrigin) at which the script ran, the import finished and the answer came.
 */
import { pathToFileURL } from 'node:url'

const scriptAt = performance.now()
const { handler } = await import(pathToFileURL(process.argv[2]).href)
const importedAt = performance.now()
const answer = await handler(JSON.parse(process.argv[3]), { awsRequestId: 'cold-start', functionName: 'bench' })
const answeredAt = performance.now()
const status = answer?.statusCode ?? (Array.isArray(answer?.batchItemFailures) ? `${answer.batchItemFailures.length} failures` : 'no answer')
process.stdout.write(JSON.stringify({ scriptAt, importedAt, answeredAt, status }) + '\n')
// The AWS SDK's sockets would keep the process alive; Lambda freezes it instead.
process.exit(0)
