// The web server logs through the server's logger (server/log.ts): on Lambda each request's
// lines carry its invocation (request id, function, cold start), and a request that fails
// with a server error is logged with its method, path and the error with its cause.
import { getRequestURL, H3Error } from 'h3'
import type { Context } from 'aws-lambda'
import { logger } from '../log'

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('request', (event) => {
    // Lambda's invocation context, as Nitro's aws-lambda entry received it (lambda-event.ts).
    const lambda = event.context.awsLambda
    if (lambda) logger.addContext(lambda.context as Context)
  })
  nitroApp.hooks.hook('error', (error, { event }) => {
    const statusCode = error instanceof H3Error ? error.statusCode : 500
    // A 4xx is an answer the route chose (with its sentence), not a failure of the server.
    if (statusCode < 500) return
    // h3 hands on an H3Error, whose JSON form keeps neither stack nor cause. Its cause is
    // what the handler threw, or, when that had a cause of its own, it has the thrown error's
    // message and stack with that cause: either way the error logged is the one thrown.
    const thrown =
      !(error instanceof H3Error) ? error
      : error.cause instanceof Error && error.cause.stack === error.stack ? error.cause
      : Object.assign(new Error(error.message, { cause: error.cause }), { stack: error.stack })
    logger.error('request failed', {
      httpMethod: event?.method,
      // The path without its query, which may carry a sign-in token.
      path: event ? getRequestURL(event).pathname : undefined,
      statusCode,
      error: thrown,
    })
  })
})
