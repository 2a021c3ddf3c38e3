/**
 * A built Lambda handler in a process of its own, as Lambda's Node.js runtime runs it (plain
 * Node, the environment it was started with, nothing of the test runner's module loading):
 * `node lambda-process.mjs path/to/index.mjs`, then each IPC message `{ id, event }` is answered
 * with `{ id, answer }` (the handler's result) or `{ id, error }`.
 */
import { pathToFileURL } from 'node:url'

const { handler } = await import(pathToFileURL(process.argv[2]).href)
process.on('message', async ({ id, event }) => {
  try {
    process.send({ id, answer: await handler(event, { awsRequestId: id, functionName: 'web' }) })
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) })
  }
})
process.send({ ready: true })
