/**
 * Input validation at the door with zod, failing with a 400 whose message is one sentence
 * (the first problem found), as every API error here is JSON with a sentence.
 */
import type { H3Event } from 'h3'
import { createError, getQuery, getRouterParams, readBody } from 'h3'
import type { z } from 'zod'
import { InvalidCursor } from '../services/cursors'
import { sentenceOf } from '../../shared/validation'

function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw createError({ statusCode: 400, message: sentenceOf(parsed.error) })
  return parsed.data
}

export const validBody = async <S extends z.ZodType>(event: H3Event, schema: S) => {
  let body: unknown
  try {
    body = await readBody(event)
  } catch {
    throw createError({ statusCode: 400, message: 'The request body is not valid JSON.' })
  }
  return parseOr400(schema, body ?? {})
}
export const validParams = <S extends z.ZodType>(event: H3Event, schema: S) => parseOr400(schema, getRouterParams(event, { decode: true }))
export const validQuery = <S extends z.ZodType>(event: H3Event, schema: S) => parseOr400(schema, getQuery(event))

/** One page of a list: a cursor this server did not give out is the caller's mistake (400), not an outage. */
export async function pageOf<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof InvalidCursor) throw createError({ statusCode: 400, message: error.message })
    throw error
  }
}
