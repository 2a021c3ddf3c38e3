/**
 * The OpenAPI 3.1 document of this server, built by zod-openapi from each route's
 * `operation` (shared/schemas/api.ts): the same schemas the route validates its input with
 * and types its answer by, so the document cannot drift from what the routes do. Routes a
 * module serves without a file here (nuxt-auth-utils' session routes) are described below.
 */
import { z } from 'zod'
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi'
import { API_TAGS, ErrorSchema, defineOperation, type ApiOperation, type HttpMethod } from '../../shared/schemas/api'

export interface DocumentedRoute {
  method: HttpMethod
  path: string
  operation: ApiOperation
}

const SessionSchema = z.object({
  user: z.object({ email: z.string() }).optional(),
  loggedInAt: z.number().optional(),
})

/** Served by nuxt-auth-utils (the dashboard's useUserSession), not by a file under server/api. */
export const MODULE_ROUTES: DocumentedRoute[] = [
  {
    method: 'get',
    path: '/api/_auth/session',
    operation: defineOperation({
      summary: "The session cookie's contents for the dashboard's pages: the signed-in user and when they signed in, or nothing.",
      tag: 'auth',
      public: true,
      responses: { 200: { description: '`user` (email) and `loggedInAt` when signed in; otherwise no `user`.', schema: SessionSchema } },
    }),
  },
  {
    method: 'delete',
    path: '/api/_auth/session',
    operation: defineOperation({
      summary: 'Ends the session of the cookie sent, if any (as POST /api/auth/sign-out does).',
      tag: 'auth',
      public: true,
      responses: { 200: { description: 'Logged out.', schema: z.object({ loggedOut: z.literal(true) }) } },
    }),
  },
]

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } })

/** A success answers with a body unless it is a redirect or has none by definition. */
const needsBody = (status: number) => status < 300 && status !== 204

function operationObject({ method, path, operation }: DocumentedRoute): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {}
  for (const [status, { description, schema, contentType }] of Object.entries(operation.responses)) {
    if (!schema && needsBody(Number(status))) throw new Error(`${method.toUpperCase()} ${path} documents no body for its ${status} response.`)
    const body = schema ?? (Number(status) >= 400 ? ErrorSchema : undefined)
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = body ? { description, content: { [contentType ?? 'application/json']: { schema: body } } } : { description }
  }
  if (operation.params || operation.query || operation.body) responses['400'] ??= errorResponse('The request is not valid (one sentence says why).')
  if (!operation.public) {
    responses['401'] ??= errorResponse('Not signed in, or the API token is not valid.')
    if (operation.params) responses['404'] ??= errorResponse('Nothing by that name among what the caller may see.')
  }
  return {
    summary: operation.summary,
    tags: [operation.tag],
    operationId: `${method}${path.replace(/\.(\w+)/g, '_$1').replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(operation.public ? { security: [] } : {}),
    ...(operation.params || operation.query ? { requestParams: { ...(operation.params ? { path: operation.params } : {}), ...(operation.query ? { query: operation.query } : {}) } } : {}),
    ...(operation.body ? { requestBody: { required: true, content: { 'application/json': { schema: operation.body } } } } : {}),
    responses,
  }
}

export function openApiDocument(routes: DocumentedRoute[], serverUrl?: string) {
  const paths: ZodOpenApiPathsObject = {}
  for (const route of [...routes, ...MODULE_ROUTES]) (paths[route.path] ??= {})[route.method] = operationObject(route)
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Calendar Invite Server API',
        version: '0.1.0',
        description: 'Events, attendees and invitations of a self-hosted calendar invite server. Every error is JSON with a one-sentence `message`.',
      },
      ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
      tags: API_TAGS.map((name) => ({ name })),
      security: [{ bearerAuth: [] }, { cookieAuth: [] }],
      paths,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (`npx cis token create <email>`), sent as `Authorization: Bearer cis_…`.' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'nuxt-session', description: 'The dashboard session after signing in by email link.' },
        },
      },
    },
  )
}
