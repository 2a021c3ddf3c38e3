/**
 * What every API operation is described by: its request schemas (validated at the route),
 * its responses with their schemas (the route's return type, the app's types and the
 * OpenAPI document all come from them), and words for people. Each route file under
 * server/api and server/routes exports one as `operation`; server/openapi builds the
 * document from those exports, so a route without one fails the build.
 */
import { z } from 'zod'

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

/** The sections of the OpenAPI document. */
export const API_TAGS = ['system', 'public', 'auth', 'events', 'invites', 'tokens', 'mail', 'owners', 'bulk-senders'] as const
export type ApiTag = (typeof API_TAGS)[number]

export interface ResponseSpec {
  description: string
  /** The body; an error status without one is the shared Error. */
  schema?: z.ZodType
  /** `application/json` unless said. */
  contentType?: string
}

export interface ApiOperation {
  summary: string
  tag: ApiTag
  /** Anyone may call it (no session or token needed). */
  public?: boolean
  params?: z.ZodObject
  query?: z.ZodObject
  body?: z.ZodType
  responses: { [status: number]: ResponseSpec }
}

/** An operation, with its literal types kept (the route's input and return types come from them). */
export const defineOperation = <const O extends ApiOperation>(operation: O): O => operation

/** Every refusal: JSON with a sentence. */
export const ErrorSchema = z
  .object({
    error: z.literal(true).optional(),
    url: z.string().optional(),
    statusCode: z.number().int(),
    statusMessage: z.string().optional(),
    message: z.string().meta({ description: 'One sentence saying what is wrong.' }),
  })
  .meta({ id: 'Error' })

export const cursorField = z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' })

/** A sentence for the person who asked (202s and the like). */
export const MessageSchema = z.object({ message: z.string() })

/** An event's start or end: an instant, or `YYYY-MM-DD` for all-day events. */
export const eventTime = () => z.string().meta({ description: 'An instant (ISO 8601, UTC), or a date (YYYY-MM-DD) for all-day events.' })

/** An instant as ISO 8601 text in UTC, e.g. `2027-04-01T10:00:00.000Z`. */
export const instant = () => z.string().meta({ description: 'An instant, ISO 8601 in UTC.' })

type SuccessStatus = 200 | 201 | 202
type BodyOf<R> = R extends { schema: infer S extends z.ZodType } ? z.input<S> : never

type SuccessOf<O extends ApiOperation> = Extract<keyof O['responses'], SuccessStatus>

type RedirectStatus = 301 | 302 | 303 | 307 | 308
/** What sendRedirect returns, where an operation may answer with a redirect. */
type RedirectOf<O extends ApiOperation> = [Extract<keyof O['responses'], RedirectStatus>] extends [never] ? never : void

/** What a route returns: any of its success responses' bodies (a redirect's handler returns what h3 sends). */
export type ResponseOf<O extends ApiOperation> = [SuccessOf<O>] extends [never]
  ? unknown
  : { [S in SuccessOf<O>]: BodyOf<O['responses'][S]> }[SuccessOf<O>] | RedirectOf<O>

type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined

/** What a route receives, parsed: its params, query and body. */
export interface InputOf<O extends ApiOperation> {
  params: Parsed<O['params']>
  query: Parsed<O['query']>
  body: Parsed<O['body']>
}
