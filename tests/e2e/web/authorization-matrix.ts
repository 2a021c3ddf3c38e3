/**
 * Every API route × every kind of caller, on the built app: anonymous, organizer A (who
 * organizes the event), organizer B (another domain), the domain owner of A's domain and a
 * system owner. Callers authenticate with API tokens, which carry the same rights as a
 * sign-in session. Someone else's event answers 404, never 403, so UIDs cannot be probed.
 * Every answer is checked against the schema the served OpenAPI document gives it, by a
 * JSON Schema validator (Ajv) rather than the zod schemas the document came from.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { fetch } from '@nuxt/test-utils/e2e'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { EntityRepository } from 'dynamodb-toolbox'
import { AttendeeEntity, EventEntity, InvitationListEntity, OrganizerEntity } from '../../../server/aws/table'
import { createApiToken } from '../../../server/services/api-tokens'
import { setOwner } from '../../../server/services/owners'
import { setBulkSender } from '../../../server/services/bulk-senders'
import { ensureOrganizerPublicId, ensurePublicId } from '../../../server/services/public-events'
import { MODULE_ROUTES } from '../../../server/openapi/document'
import { routeFiles } from '../../../server/openapi/route-files'

type Who = 'anonymous' | 'organizerA' | 'organizerB' | 'domainOwner' | 'systemOwner'
const WHO: Who[] = ['anonymous', 'organizerA', 'organizerB', 'domainOwner', 'systemOwner']

interface Row {
  /** The route file under server/api this row covers (`METHOD /path` for a route a module serves). */
  route: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: () => string
  body?: unknown
  expect: Record<Who, number>
}

const suffix = randomUUID().slice(0, 8)
const uid = `matrix-${suffix}@test`
const A = `ann-${suffix}@alpha-${suffix}.example`
const B = `ben-${suffix}@beta-${suffix}.example`
const alpha = `alpha-${suffix}.example`
const event = () => `/api/events/${encodeURIComponent(uid)}`
const bulkSender = `old-sender-${suffix}@example.org`
let publicId = ''
let organizerPublicId = ''
const checkedList = `matrixchecked${suffix}`
const namedAttendee = `named-${suffix}@example.org`
const removedAttendee = `removed-${suffix}@example.org`
const uploadingList = `matrixupload${suffix}`

// What each caller gets from each route. 401: not signed in; 403: a role is missing for a
// whole area (owners' views); 404: this particular thing is not theirs.
const rows: Row[] = [
  { route: 'health.get.ts', method: 'GET', path: () => '/api/health', expect: { anonymous: 200, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  { route: 'events/upcoming.get.ts', method: 'GET', path: () => '/api/events/upcoming', expect: { anonymous: 200, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  { route: 'events/index.get.ts', method: 'GET', path: () => '/api/events', expect: { anonymous: 401, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  { route: 'events/[uid].get.ts', method: 'GET', path: event, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  // Only the organizer lists or unlists their event; owners read.
  { route: 'events/[uid].patch.ts', method: 'PATCH', path: event, body: { listed: false }, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  { route: 'public/events/[publicId].get.ts', method: 'GET', path: () => `/api/public/events/${publicId}`, expect: { anonymous: 200, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  // The public lists: anyone reads them, by an organizer's public id or a domain; unknown ones are 404.
  { route: 'public/organizers/[id]/events.get.ts', method: 'GET', path: () => `/api/public/organizers/${organizerPublicId}/events?q=matrix`, expect: { anonymous: 200, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  { route: 'public/domains/[domain]/events.get.ts', method: 'GET', path: () => `/api/public/domains/${alpha}/events`, expect: { anonymous: 200, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  { route: 'events/[uid]/attendees.get.ts', method: 'GET', path: () => `${event()}/attendees`, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  { route: 'events/[uid]/report.csv.get.ts', method: 'GET', path: () => `${event()}/report.csv`, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  { route: 'events/[uid]/report/email.post.ts', method: 'POST', path: () => `${event()}/report/email`, expect: { anonymous: 401, organizerA: 202, organizerB: 404, domainOwner: 202, systemOwner: 202 } },
  { route: 'events/[uid]/invites.get.ts', method: 'GET', path: () => `${event()}/invites`, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  // Only the organizer sends invitations for their event; owners read.
  { route: 'events/[uid]/invites.post.ts', method: 'POST', path: () => `${event()}/invites`, body: { email: `guest-${suffix}@example.org` }, expect: { anonymous: 401, organizerA: 202, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  // Only the organizer resends or removes; an attendee named by the organizer's calendar is invited from here on resend.
  { route: 'events/[uid]/attendees/[email]/resend.post.ts', method: 'POST', path: () => `${event()}/attendees/${encodeURIComponent(namedAttendee)}/resend`, expect: { anonymous: 401, organizerA: 202, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  { route: 'events/[uid]/attendees/[email].delete.ts', method: 'DELETE', path: () => `${event()}/attendees/${encodeURIComponent(removedAttendee)}`, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  // Invitation lists: only the organizer starts, checks and sends one; owners read.
  { route: 'events/[uid]/lists.post.ts', method: 'POST', path: () => `${event()}/lists`, body: { text: `listed-${suffix}@example.org` }, expect: { anonymous: 401, organizerA: 201, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  { route: 'events/[uid]/lists.get.ts', method: 'GET', path: () => `${event()}/lists`, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  { route: 'lists/[id].get.ts', method: 'GET', path: () => `/api/lists/${checkedList}`, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  { route: 'lists/[id]/rejected.get.ts', method: 'GET', path: () => `/api/lists/${checkedList}/rejected`, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  { route: 'lists/[id]/rejected.csv.get.ts', method: 'GET', path: () => `/api/lists/${checkedList}/rejected.csv`, expect: { anonymous: 401, organizerA: 200, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  // Nothing was uploaded to this one: the organizer is told so.
  { route: 'lists/[id]/check.post.ts', method: 'POST', path: () => `/api/lists/${uploadingList}/check`, expect: { anonymous: 401, organizerA: 422, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  { route: 'lists/[id]/send.post.ts', method: 'POST', path: () => `/api/lists/${checkedList}/send`, body: { confirm: 'YES' }, expect: { anonymous: 401, organizerA: 202, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  // Rows for events that are not the caller's are refused row by row, in a 202.
  { route: 'invites/batch.post.ts', method: 'POST', path: () => '/api/invites/batch', body: [{ uid, email: `batch-${suffix}@example.org` }], expect: { anonymous: 401, organizerA: 202, organizerB: 202, domainOwner: 202, systemOwner: 202 } },
  { route: 'mail/rejected.get.ts', method: 'GET', path: () => '/api/mail/rejected', expect: { anonymous: 401, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  { route: 'domains/index.get.ts', method: 'GET', path: () => '/api/domains', expect: { anonymous: 401, organizerA: 403, organizerB: 403, domainOwner: 200, systemOwner: 200 } },
  { route: 'domains/[domain].get.ts', method: 'GET', path: () => `/api/domains/${alpha}`, expect: { anonymous: 401, organizerA: 404, organizerB: 404, domainOwner: 200, systemOwner: 200 } },
  { route: 'owners/index.get.ts', method: 'GET', path: () => '/api/owners', expect: { anonymous: 401, organizerA: 403, organizerB: 403, domainOwner: 403, systemOwner: 200 } },
  { route: 'owners/[email].put.ts', method: 'PUT', path: () => `/api/owners/${encodeURIComponent(`new-owner-${suffix}@example.org`)}`, body: { domains: ['gamma.example'] }, expect: { anonymous: 401, organizerA: 403, organizerB: 403, domainOwner: 403, systemOwner: 200 } },
  { route: 'bulk-senders/index.get.ts', method: 'GET', path: () => '/api/bulk-senders', expect: { anonymous: 401, organizerA: 403, organizerB: 403, domainOwner: 403, systemOwner: 200 } },
  { route: 'bulk-senders/[email].put.ts', method: 'PUT', path: () => `/api/bulk-senders/${encodeURIComponent(`new-sender-${suffix}@example.org`)}`, body: { dailyLimit: 100 }, expect: { anonymous: 401, organizerA: 403, organizerB: 403, domainOwner: 403, systemOwner: 200 } },
  // The system owner removes the sender added before the matrix runs.
  { route: 'bulk-senders/[email].delete.ts', method: 'DELETE', path: () => `/api/bulk-senders/${encodeURIComponent(bulkSender)}`, expect: { anonymous: 401, organizerA: 403, organizerB: 403, domainOwner: 403, systemOwner: 204 } },
  { route: 'tokens/index.get.ts', method: 'GET', path: () => '/api/tokens', expect: { anonymous: 401, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  // Tokens are made signed in, in the dashboard: a token cannot mint more (tests/e2e/web/tokens.ts signs in).
  { route: 'tokens/index.post.ts', method: 'POST', path: () => '/api/tokens', body: { label: 'x' }, expect: { anonymous: 401, organizerA: 403, organizerB: 403, domainOwner: 403, systemOwner: 403 } },
  { route: 'tokens/[id].delete.ts', method: 'DELETE', path: () => '/api/tokens/000000000000', expect: { anonymous: 401, organizerA: 404, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  { route: 'auth/me.get.ts', method: 'GET', path: () => '/api/auth/me', expect: { anonymous: 401, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  // nuxt-auth-utils' session routes (no file here): the cookie's own session, or an empty one; a token names no session.
  { route: 'GET /api/_auth/session', method: 'GET', path: () => '/api/_auth/session', expect: { anonymous: 200, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  { route: 'DELETE /api/_auth/session', method: 'DELETE', path: () => '/api/_auth/session', expect: { anonymous: 200, organizerA: 200, organizerB: 200, domainOwner: 200, systemOwner: 200 } },
  // Public by design: forms and links that work without signing in.
  { route: 'unsubscribe/[token].get.ts', method: 'GET', path: () => '/api/unsubscribe/not-a-token', expect: { anonymous: 404, organizerA: 404, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  // "Send me the invite": anyone may ask, with the same answer whoever asks for whichever address.
  { route: 'public/events/[publicId]/invite-requests.post.ts', method: 'POST', path: () => `/api/public/events/${publicId}/invite-requests`, body: { email: `visitor-${suffix}@example.org` }, expect: { anonymous: 202, organizerA: 202, organizerB: 202, domainOwner: 202, systemOwner: 202 } },
  { route: 'public/invite-requests/[token].get.ts', method: 'GET', path: () => '/api/public/invite-requests/not-a-token', expect: { anonymous: 404, organizerA: 404, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
  { route: 'rsvp/[token].get.ts', method: 'GET', path: () => '/api/rsvp/not-a-token', expect: { anonymous: 404, organizerA: 404, organizerB: 404, domainOwner: 404, systemOwner: 404 } },
]

/** Route files with their own tests of anonymous use (sign-in forms, OpenAPI document). */
const PUBLIC_ELSEWHERE = new Set(['auth/sign-in.post.ts', 'auth/sign-out.post.ts', 'openapi.json.get.ts'])

/** The documented (method, path) a row's route file serves. */
const root = fileURLToPath(new URL('../../../', import.meta.url))
const documentedAs = new Map(routeFiles(root).map(({ file, method, path }) => [file.replace(/^server\/api\//, ''), { method, path }]))
function operationOf(row: Row) {
  const [method, path] = row.route.includes(' ') ? row.route.split(' ') : [documentedAs.get(row.route)?.method, documentedAs.get(row.route)?.path]
  return { method: method!.toLowerCase(), path: path! }
}

/** A validator for each documented answer of the served document. */
function answerValidator(document: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  ajv.addSchema(document, 'openapi')
  const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')
  return (method: string, path: string, status: number, contentType: string) => {
    const id = `openapi#/${pointer('paths', path, method, 'responses', String(status), 'content', contentType, 'schema')}`
    const validate = ajv.getSchema(id)
    if (!validate) throw new Error(`The document gives ${method.toUpperCase()} ${path} no ${contentType} schema for ${status}.`)
    return (body: unknown) => (validate(body) ? null : ajv.errorsText(validate.errors))
  }
}

describe('authorization matrix: every API route × every kind of caller', { tags: ['security'] }, () => {
  const tokens = {} as Record<Who, string | null>
  let validator: ReturnType<typeof answerValidator> | undefined
  // The served document, read in the first test that needs it (the app's address is known inside tests only).
  const validatorOf = async () => (validator ??= answerValidator((await (await fetch('/api/openapi.json')).json()) as Record<string, unknown>))

  beforeAll(async () => {
    await EventEntity.build(EntityRepository).put({
      uid, organizerEmail: A, organizerDomain: alpha, summary: 'Matrix event', start: '2027-04-01T10:00:00Z', dtstamp: '2026-11-01T00:00:00Z',
    })
    publicId = (await ensurePublicId(uid))!
    const attendees = AttendeeEntity.build(EntityRepository)
    await Promise.all([namedAttendee, removedAttendee].map((email) => attendees.put({ eventUid: uid, email, partstat: 'NEEDS-ACTION', source: 'organizer' })))
    await OrganizerEntity.build(EntityRepository).put({ email: A, domain: alpha, name: 'Ann' })
    organizerPublicId = (await ensureOrganizerPublicId(A))!
    const domainOwner = `dora-${suffix}@owners.example`
    const systemOwner = `sam-${suffix}@owners.example`
    await setOwner(domainOwner, { systemOwner: false, domains: [alpha] }, 'tests')
    await setOwner(systemOwner, { systemOwner: true, domains: [] }, 'tests')
    await setBulkSender(bulkSender, { dailyLimit: null }, 'tests')
    // Lists in a known phase (no worker moves them: no job is queued for them).
    const lists = InvitationListEntity.build(EntityRepository)
    const list = { organizerEmail: A, origin: 'vip' as const, layout: 'vip' as const, eventUid: uid, createdAt: new Date().toISOString() }
    await lists.put({ ...list, id: checkedList, fileKey: `lists/${checkedList}.csv`, phase: 'checked', rows: 1, valid: 1 })
    await lists.put({ ...list, id: uploadingList, fileKey: `lists/${uploadingList}.csv`, phase: 'uploading' })
    tokens.anonymous = null
    tokens.organizerA = (await createApiToken(A)).token
    tokens.organizerB = (await createApiToken(B)).token
    tokens.domainOwner = (await createApiToken(domainOwner)).token
    tokens.systemOwner = (await createApiToken(systemOwner)).token
  })

  it('covers every route file under server/api', () => {
    const covered = new Set(rows.map((row) => row.route))
    const apiFiles = routeFiles(root).filter(({ file }) => file.startsWith('server/api/')).map(({ file }) => file.replace(/^server\/api\//, ''))
    expect(apiFiles.length).toBeGreaterThan(15)
    const missing = apiFiles.filter((file) => !covered.has(file) && !PUBLIC_ELSEWHERE.has(file))
    expect(missing).toEqual([])
  })

  it('covers every route a module serves (documented in the OpenAPI document, with no file here)', () => {
    const fromModules = MODULE_ROUTES
    expect(fromModules.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual(['DELETE /api/_auth/session', 'GET /api/_auth/session'])
    const covered = new Set(rows.map((row) => row.route))
    expect(fromModules.filter(({ method, path }) => !covered.has(`${method.toUpperCase()} ${path}`))).toEqual([])
  })

  for (const row of rows) {
    it(`${row.method} ${row.route}`, async () => {
      const got = {} as Record<Who, number>
      for (const who of WHO) {
        const response = await fetch(row.path(), {
          method: row.method,
          headers: {
            ...(tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {}),
            ...(row.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: row.body === undefined ? undefined : JSON.stringify(row.body),
        })
        got[who] = response.status
        const { method, path } = operationOf(row)
        const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!
        const body = contentType === 'application/json' ? await response.json() : await response.text()
        // The answer is what the document says it is, refusals included; a 204 has nothing to check but its emptiness.
        if (response.status === 204) {
          expect(body, `${who} ${row.method} ${row.route} 204`).toBe('')
        } else {
          const problem = (await validatorOf())(method, path, response.status, contentType)(body)
          expect(problem, `${who} ${row.method} ${row.route} ${response.status}: ${JSON.stringify(body).slice(0, 300)}`).toBeNull()
        }
        // Every refusal is JSON with a sentence.
        if (response.status >= 400) expect((body as { message?: string }).message, `${who} ${row.method} ${row.route}`).toMatch(/\S.*\.$/)
      }
      expect(got).toEqual(row.expect)
    })
  }
})
