/**
 * The OpenAPI 3.1 description of every route under server/api, and of the session routes
 * nuxt-auth-utils adds (/api/_auth/session). Request shapes come from the same zod
 * schemas the routes validate with (z.toJSONSchema), so the document cannot drift from
 * what is accepted; a test checks every route file is listed here.
 */
import { z } from 'zod'
import { EventParamsSchema, InviteBodySchema, InvitationListQuerySchema } from '../../shared/schemas/invites'
import { AttendeeListQuerySchema, EventListQuerySchema, RejectedMailQuerySchema } from '../../shared/schemas/events'
import { DomainParamsSchema, OwnerGrantSchema, OwnerParamsSchema } from '../../shared/schemas/owners'
import { TokenCreateSchema, TokenParamsSchema } from '../../shared/schemas/tokens'
import { mailAddress } from '../../shared/mail-address'

type JsonSchema = Record<string, unknown>
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

interface Route {
  method: Method
  path: string
  summary: string
  tag: string
  /** Anyone may call it (no session or token needed). */
  public?: boolean
  params?: z.ZodObject
  query?: z.ZodObject
  body?: z.ZodType
  /** Status → description (and the JSON schema of the body, if any). */
  responses: Record<number, string | { description: string; schema?: JsonSchema; contentType?: string }>
}

const jsonSchemaOf = (schema: z.ZodType): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  return rest
}

const listOf = (name: string, item: string): JsonSchema => ({
  type: 'object',
  required: [name, 'cursor'],
  properties: {
    [name]: { type: 'array', items: { type: 'object', description: item } },
    cursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' },
  },
})

// The sign-in body is validated by the auth service; mirrored here as a plain shape.
const SignInBody = z.object({ email: mailAddress() })

const ROUTES: Route[] = [
  { method: 'get', path: '/api/health', tag: 'system', public: true, summary: 'Readiness: the event table answers.', responses: { 200: 'Ready.', 503: 'The table is not reachable.' } },
  { method: 'get', path: '/api/openapi.json', tag: 'system', public: true, summary: 'This document.', responses: { 200: 'The OpenAPI 3.1 document.' } },
  { method: 'get', path: '/api/events/upcoming', tag: 'public', public: true, summary: 'Upcoming events their organizers chose to list (the landing page).', responses: { 200: 'Listed events, soonest first.' } },
  { method: 'get', path: '/api/unsubscribe/{token}', tag: 'public', public: true, params: z.object({ token: z.string() }), summary: 'What an unsubscribe link is for; changes nothing.', responses: { 200: 'The address the link unsubscribes.', 404: 'The link is not valid.' } },

  { method: 'post', path: '/api/auth/sign-in', tag: 'auth', public: true, body: SignInBody, summary: 'Mails a single-use sign-in link (the same answer for every address).', responses: { 202: 'The link is on its way if the address may sign in.', 429: 'Too many requests.' } },
  { method: 'post', path: '/api/auth/sign-out', tag: 'auth', summary: 'Ends the dashboard session.', responses: { 200: 'Signed out.' } },
  { method: 'get', path: '/api/auth/me', tag: 'auth', summary: 'Who is signed in, and what they oversee.', responses: { 200: 'The caller: email, systemOwner, ownedDomains.' } },
  // Served by nuxt-auth-utils (the dashboard's useUserSession), not by a file under server/api.
  { method: 'get', path: '/api/_auth/session', tag: 'auth', public: true, summary: "The session cookie's contents for the dashboard's pages: the signed-in user and when they signed in, or nothing.", responses: { 200: '`user` (email) and `loggedInAt` when signed in; otherwise no `user`.' } },
  { method: 'delete', path: '/api/_auth/session', tag: 'auth', public: true, summary: 'Ends the session of the cookie sent, if any (as POST /api/auth/sign-out does).', responses: { 200: '`{ "loggedOut": true }`.' } },

  { method: 'get', path: '/api/events', tag: 'events', query: EventListQuerySchema, summary: "The caller's events (or an overseen organizer's) by view, searchable by summary and location.", responses: { 200: { description: 'One page of events.', schema: listOf('events', 'An event with its counts.') }, 404: 'The organizer is not one the caller oversees.' } },
  { method: 'get', path: '/api/events/{uid}', tag: 'events', params: EventParamsSchema, summary: 'One event with its counts and breakdowns (answers, clients, origins, answers per day).', responses: { 200: 'The event.' } },
  { method: 'get', path: '/api/events/{uid}/attendees', tag: 'events', params: EventParamsSchema, query: AttendeeListQuerySchema, summary: "The event's attendees with their answers and this server's invitation.", responses: { 200: { description: 'One page of attendees.', schema: listOf('attendees', 'An attendee.') } } },
  { method: 'get', path: '/api/events/{uid}/report.csv', tag: 'events', params: EventParamsSchema, summary: 'Every attendee as a CSV download (header row; formula-like cells prefixed with \').', responses: { 200: { description: 'The CSV file.', contentType: 'text/csv', schema: { type: 'string' } } } },
  { method: 'post', path: '/api/events/{uid}/report/email', tag: 'events', params: EventParamsSchema, summary: 'Email the attendee report (CSV attached) to the caller.', responses: { 202: 'The report is queued for sending to the caller.' } },
  { method: 'get', path: '/api/events/{uid}/invites', tag: 'invites', params: EventParamsSchema, query: InvitationListQuerySchema, summary: 'The invitations this server sent for the event, with what was sent and why anything failed.', responses: { 200: { description: 'One page of invitations.', schema: listOf('invitations', 'An invitation.') } } },
  { method: 'post', path: '/api/events/{uid}/invites', tag: 'invites', params: EventParamsSchema, body: InviteBodySchema, summary: 'Invite one address (the event organizer only).', responses: { 202: 'Queued for sending.', 200: 'Already invited.', 422: 'Refused, with the reason.' } },

  { method: 'get', path: '/api/tokens', tag: 'tokens', summary: "The caller's API tokens (ids, labels, dates; never the tokens).", responses: { 200: 'The tokens.' } },
  { method: 'post', path: '/api/tokens', tag: 'tokens', body: TokenCreateSchema, summary: 'A new API token for the signed-in caller; the token appears in this answer only.', responses: { 201: 'The token, shown once.', 403: 'Only a signed-in person (not a token) may create tokens.' } },
  { method: 'delete', path: '/api/tokens/{id}', tag: 'tokens', params: TokenParamsSchema, summary: 'Revoke one of the caller\'s API tokens.', responses: { 200: 'Revoked.', 404: 'No such token among the caller\'s.' } },
  { method: 'get', path: '/api/mail/rejected', tag: 'mail', query: RejectedMailQuerySchema, summary: "The caller's own messages the server rejected, newest first, with the reason.", responses: { 200: { description: 'One page of rejected messages.', schema: listOf('messages', 'A rejected message: subject, reason, receivedAt.') } } },

  { method: 'get', path: '/api/domains', tag: 'owners', summary: 'Per-domain summaries for owners.', responses: { 200: 'The domains the caller oversees.', 403: 'Only owners see domain summaries.' } },
  { method: 'get', path: '/api/domains/{domain}', tag: 'owners', params: DomainParamsSchema, summary: "One domain's summary and organizers.", responses: { 200: 'The domain.' } },
  { method: 'get', path: '/api/owners', tag: 'owners', summary: 'Every owner and what they oversee (system owners only).', responses: { 200: 'The owners.', 403: 'Only system owners may do this.' } },
  { method: 'put', path: '/api/owners/{email}', tag: 'owners', params: OwnerParamsSchema, body: OwnerGrantSchema, summary: "Grant, change or remove a person's owner rights (system owners only).", responses: { 200: 'The person\'s roles now.', 403: 'Only system owners may do this.', 422: 'A configured system owner stays one.' } },
]

function parameters(where: 'path' | 'query', schema: z.ZodObject | undefined) {
  if (!schema) return []
  const json = jsonSchemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] }
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }))
}

const ERROR = { $ref: '#/components/schemas/Error' }

function operation(route: Route) {
  const responses: Record<string, unknown> = {}
  for (const [status, value] of Object.entries(route.responses)) {
    const { description, schema, contentType } = typeof value === 'string' ? { description: value, schema: undefined, contentType: undefined } : value
    responses[status] = { description, content: { [contentType ?? 'application/json']: { schema: schema ?? (Number(status) >= 400 ? ERROR : { type: 'object' }) } } }
  }
  if (route.params || route.query || route.body) responses['400'] ??= { description: 'The request is not valid (one sentence says why).', content: { 'application/json': { schema: ERROR } } }
  if (!route.public) {
    responses['401'] ??= { description: 'Not signed in, or the API token is not valid.', content: { 'application/json': { schema: ERROR } } }
    if (route.params && !responses['404']) responses['404'] = { description: 'Nothing by that name among what the caller may see.', content: { 'application/json': { schema: ERROR } } }
  }
  return {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method}${route.path.replace(/\.(\w+)/g, '_$1').replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(route.public ? { security: [] } : {}),
    parameters: [...parameters('path', route.params), ...parameters('query', route.query)],
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(route.body) } } } } : {}),
    responses,
  }
}

export function openApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method] = operation(route)
  return {
    openapi: '3.1.0',
    info: {
      title: 'Calendar Invite Server API',
      version: '0.1.0',
      description: 'Events, attendees and invitations of a self-hosted calendar invite server. Every error is JSON with a one-sentence `message`.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (`npx cis token create <email>`), sent as `Authorization: Bearer cis_…`.' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'nuxt-session', description: 'The dashboard session after signing in by email link.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['statusCode', 'message'],
          properties: { statusCode: { type: 'integer' }, message: { type: 'string', description: 'One sentence saying what is wrong.' } },
        },
      },
    },
  }
}

/** Every documented (method, path), e.g. for the test that each route file is listed. */
export const documentedRoutes = () => ROUTES.map(({ method, path }) => ({ method, path }))
