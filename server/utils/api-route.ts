/**
 * A route that answers as its operation says: its params, query and body validated with
 * the operation's schemas (400 with a sentence otherwise) before the handler runs, and the
 * handler's result typed by the operation's success responses.
 */
import type { H3Event } from 'h3'
import { defineEventHandler } from 'h3'
import type { ApiOperation, InputOf, ResponseOf } from '../../shared/schemas/api'
import { validBody, validParams, validQuery } from './validation'

export function defineApiRoute<O extends ApiOperation>(operation: O, handler: (event: H3Event, input: InputOf<O>) => ResponseOf<O> | Promise<ResponseOf<O>>) {
  return defineEventHandler(async (event) => {
    const input = {
      params: operation.params ? validParams(event, operation.params) : undefined,
      query: operation.query ? validQuery(event, operation.query) : undefined,
      body: operation.body ? await validBody(event, operation.body) : undefined,
    } as InputOf<O>
    return handler(event, input)
  })
}
