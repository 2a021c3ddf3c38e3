/**
 * The single DynamoDB table and its entities (dynamodb-toolbox).
 *
 * Access patterns and the keys that serve them:
 *
 * | access pattern                                   | index | partition key          | sort key                    |
 * |--------------------------------------------------|-------|------------------------|-----------------------------|
 * | an event by UID                                  | table | EVENT#<uid>            | EVENT                       |
 * | attendees of an event (paginated, any number)    | table | EVENT#<uid>            | begins_with ATTENDEE#       |
 * | an organizer's events by start time              | gsi1  | ORGANIZER#<email>      | <start>#<uid>               |
 * | an attendee's records across events              | gsi1  | PERSON#<email>         | EVENT#<uid>                 |
 * | a domain's events by start time                  | gsi2  | DOMAIN#<domain>        | EVENT#<start>#<uid>         |
 * | a domain's organizers                            | gsi2  | DOMAIN#<domain>        | ORGANIZER#<email>           |
 * | every organizer, grouped by domain (owners)      | gsi3  | ORGANIZERS             | <domain>#<email>            |
 * | upcoming public events (one partition per month) | gsi3  | PUBLIC#<yyyy-mm>       | <start>#<uid>               |
 * | an organizer's profile and counts               | table | ORGANIZER#<email>      | PROFILE                     |
 * | a person's blocks / unsubscribes / bounces       | table | PERSON#<email>         | PROFILE                     |
 * | invitations this server sends for an event       | table | EVENT#<uid>            | begins_with INVITE#         |
 * | an event's answer breakdowns, as of a version    | table | EVENT#<uid>            | BREAKDOWNS                  |
 * | inbound mail log entry (by S3 key, idempotent)   | table | MAIL#<s3 key>          | MAIL                        |
 * | a sender's inbound mail, newest first            | gsi1  | MAILFROM#<email>       | <receivedAt>#<s3 key>       |
 * | all inbound mail of a day (replay --since)       | gsi2  | MAILDAY#<yyyy-mm-dd>   | <receivedAt>#<s3 key>       |
 * | inbound mail about one event                     | gsi3  | EVENTMAIL#<uid>        | <receivedAt>#<s3 key>       |
 * | a send record (idempotency of outgoing mail)     | table | SEND#<idempotency key> | SEND                        |
 * | the send records of an event                     | gsi1  | EVENTSEND#<uid>        | <claimedAt>#<key>           |
 * | the send record of an SES message (bounces)      | gsi2  | SESMSG#<ses message id> | SEND                       |
 * | the shared SES send rate (one item, GCRA)        | table | RATE#<name>            | RATE                        |
 * | an owner's roles / every owner                   | table / gsi1 | OWNER#<email> / OWNERS | OWNER / <email>       |
 * | an API token (by hash) / an organizer's tokens   | table / gsi1 | APITOKEN#<hash> / APITOKENS#<email> | APITOKEN / <createdAt>#<id> |
 * | a session / a sign-in token (expire by TTL)      | table | SESSION#<id> / TOKEN#<hash> | SESSION / TOKEN        |
 * | sign-in requests per address or IP in a window   | table | SIGNINRATE#<email or ip> | WINDOW#<start> (TTL)   |
 *
 * Items expire through the `expiresAt` TTL attribute (epoch seconds). Writes that must
 * happen together use TransactWrite; idempotent writes use conditions on `pk`; events
 * carry a `version` for optimistic concurrency (see server/aws/events-store.ts).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb'
import { Table, Entity, item, string, number, boolean, list, map, record, any } from 'dynamodb-toolbox'
import { clients } from './clients'
import { INVITE_ORIGINS } from '../../shared/schemas/invites'
import { config } from '../config'

export const table = new Table({
  name: () => config().tableName,
  partitionKey: { name: 'pk', type: 'string' },
  sortKey: { name: 'sk', type: 'string' },
  indexes: {
    gsi1: { type: 'global', partitionKey: { name: 'gsi1pk', type: 'string' }, sortKey: { name: 'gsi1sk', type: 'string' } },
    gsi2: { type: 'global', partitionKey: { name: 'gsi2pk', type: 'string' }, sortKey: { name: 'gsi2sk', type: 'string' } },
    gsi3: { type: 'global', partitionKey: { name: 'gsi3pk', type: 'string' }, sortKey: { name: 'gsi3sk', type: 'string' } },
  },
})
// The document client is resolved per call so tests and the local stack can repoint it.
table.getDocumentClient = () => clients().documents

/** The table's definition, for creating it locally and (mirrored) in infra/template.yaml. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const index = (n: number) => ({
    IndexName: `gsi${n}`,
    KeySchema: [
      { AttributeName: `gsi${n}pk`, KeyType: 'HASH' as const },
      { AttributeName: `gsi${n}sk`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  })
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [index(1), index(2), index(3)],
  }
}
export const TTL_ATTRIBUTE = 'expiresAt'

/** A conditional write (or a transaction with one) found the item not as expected. */
export const isConditionFailure = (error: unknown) => {
  const name = (error as { name?: string }).name ?? ''
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []
  return name === 'ConditionalCheckFailedException' || reasons.some((r) => r.Code === 'ConditionalCheckFailed')
}

/**
 * The sort keys that start with `prefix`, as a `between` range: the same keys as begins_with
 * (the upper bound raises the prefix's last character by one, so nothing that starts with
 * the prefix sorts after it; the bound itself is in, and no key here is one, as every
 * prefix ends in '#' and keys go on after it), but DynamoDB Local answers begins_with by
 * scanning the whole partition: 7 ms instead of 2 for an empty range among 10,000 items.
 */
export function keysStartingWith(prefix: string): { between: [string, string] } {
  const last = prefix.charCodeAt(prefix.length - 1)
  return { between: [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)] }
}

const lower = (value: string) => value.trim().toLowerCase()
export { domainOf } from '../domain/mail/address'
const month = (isoStart: string) => isoStart.slice(0, 7)

export const PARTSTATS = ['NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED'] as const
export type Partstat = (typeof PARTSTATS)[number]

const counts = map({
  accepted: number().default(0),
  declined: number().default(0),
  tentative: number().default(0),
  needsAction: number().default(0),
  delegated: number().default(0),
  /** Replies from people the organizer never invited (forwarded invites). */
  shared: number().default(0),
}).default(() => ({ accepted: 0, declined: 0, tentative: 0, needsAction: 0, delegated: 0, shared: 0 }))

const eventSchema = item({
  uid: string().key().savedAs('pk').transform({ encode: (uid: string) => `EVENT#${uid}`, decode: (pk: string) => pk.slice(6) }),
  sk: string().key().const('EVENT').hidden(),
  organizerEmail: string().transform({ encode: lower, decode: (v: string) => v }),
  organizerName: string().optional(),
  organizerDomain: string(),
  summary: string().default(''),
  description: string().optional(),
  location: string().optional(),
  url: string().optional(),
  /** ISO 8601 in UTC (`…Z`), or `YYYY-MM-DD` for all-day events. */
  start: string(),
  end: string().optional(),
  allDay: boolean().default(false),
  timezone: string().optional(),
  /** DTSTART's TZID and wall-clock time as the organizer wrote them, and that zone's VTIMEZONE. */
  tzid: string().optional(),
  startLocal: string().optional(),
  vtimezone: string().optional(),
  transp: string().enum('OPAQUE', 'TRANSPARENT').optional(),
  rrule: string().optional(),
  exdates: list(string()).default(() => []),
  rdates: list(string()).default(() => []),
  /** Overrides of single instances keyed by RECURRENCE-ID (UTC ISO or date). */
  instances: record(string(), any()).default(() => ({})),
  status: string().enum('CONFIRMED', 'TENTATIVE', 'CANCELLED').default('CONFIRMED'),
  sequence: number().default(0),
  /**
   * The SEQUENCE of the invitations this server sends: the organizer's, raised by one on
   * every change sent to attendees (an organizer may change a description without raising
   * theirs, but every update we send must carry a higher SEQUENCE than the last, ITIP 21).
   */
  inviteSequence: number().optional(),
  dtstamp: string(),
  /** The calendar client that produced the last applied message (PRODID). */
  prodid: string().optional(),
  /** Listed on the public landing page. */
  listed: boolean().default(false),
  counts,
  attendeeCount: number().default(0),
  /** People this server has sent the invitation to (first sends only); absent on events stored before it existed. */
  invitesSent: number().optional(),
  sourceMailKey: string().optional(),
  /** Raised on every write; writes are conditional on the value read (optimistic locking). */
  version: number().default(1),
}).and((schema) => ({
  gsi1pk: string().hidden().putLink<typeof schema>(({ organizerEmail }) => `ORGANIZER#${lower(organizerEmail)}`),
  gsi1sk: string().hidden().putLink<typeof schema>(({ start, uid }) => `${start}#${uid}`),
  gsi2pk: string().hidden().putLink<typeof schema>(({ organizerDomain }) => `DOMAIN#${organizerDomain}`),
  gsi2sk: string().hidden().putLink<typeof schema>(({ start, uid }) => `EVENT#${start}#${uid}`),
  // Sparse: only listed, not cancelled events are on the public index.
  gsi3pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ listed, status, start }) => (listed && status !== 'CANCELLED' ? `PUBLIC#${month(start)}` : undefined)),
  gsi3sk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ listed, status, start, uid }) => (listed && status !== 'CANCELLED' ? `${start}#${uid}` : undefined)),
}))

export const EventEntity = new Entity({ name: 'Event', table, schema: eventSchema })

const organizerSchema = item({
  email: string().key().savedAs('pk').transform({ encode: (e: string) => `ORGANIZER#${lower(e)}`, decode: (pk: string) => pk.slice(10) }),
  sk: string().key().const('PROFILE').hidden(),
  name: string().optional(),
  domain: string(),
  // Counters raised by updates ($add), so either may be missing until its first raise.
  eventCount: number().optional(),
  replyCount: number().optional(),
}).and((schema) => ({
  // Organizers are written by updates (counters), so the links are computed on update too.
  gsi2pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ domain }) => `DOMAIN#${domain}`)
    .updateLink<typeof schema>(({ domain }) => (typeof domain === 'string' ? `DOMAIN#${domain}` : undefined)),
  gsi2sk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ email }) => `ORGANIZER#${lower(email)}`)
    .updateLink<typeof schema>(({ email }) => (typeof email === 'string' ? `ORGANIZER#${lower(email)}` : undefined)),
  gsi3pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(() => 'ORGANIZERS')
    .updateLink<typeof schema>(({ domain }) => (typeof domain === 'string' ? 'ORGANIZERS' : undefined)),
  gsi3sk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ domain, email }) => `${domain}#${lower(email)}`)
    .updateLink<typeof schema>(({ domain, email }) => (typeof domain === 'string' && typeof email === 'string' ? `${domain}#${lower(email)}` : undefined)),
}))
export const OrganizerEntity = new Entity({ name: 'Organizer', table, schema: organizerSchema })

const historyEntry = map({
  partstat: string(),
  at: string(),
  recurrenceId: string().optional(),
  prodid: string().optional(),
  mailKey: string().optional(),
})

const attendeeSchema = item({
  eventUid: string().key().savedAs('pk').transform({ encode: (uid: string) => `EVENT#${uid}`, decode: (pk: string) => pk.slice(6) }),
  email: string().key().savedAs('sk').transform({ encode: (e: string) => `ATTENDEE#${lower(e)}`, decode: (sk: string) => sk.slice(9) }),
  name: string().optional(),
  partstat: string().enum(...PARTSTATS).default('NEEDS-ACTION'),
  /** Per-instance answers of a recurring event, keyed by RECURRENCE-ID. */
  instancePartstats: record(string(), string()).default(() => ({})),
  role: string().optional(),
  /** How they came to be here: named in the organizer's invite, invited by us, or a forwarded invite. */
  source: string().enum('organizer', 'invite', 'shared').default('organizer'),
  history: list(historyEntry).default(() => []),
  invitedAt: string().optional(),
  repliedAt: string().optional(),
  /** DTSTAMP of the last applied reply: an older reply arriving later changes nothing. */
  lastReplyStamp: string().optional(),
  /** The event SEQUENCE the last reply answered. */
  replySequence: number().optional(),
  /** That SEQUENCE is the server's (the reply answered an invitation this server sent). */
  answeredServerInvite: boolean().optional(),
}).and((schema) => ({
  gsi1pk: string().hidden().putLink<typeof schema>(({ email }) => `PERSON#${lower(email)}`),
  gsi1sk: string().hidden().putLink<typeof schema>(({ eventUid }) => `EVENT#${eventUid}`),
}))
export const AttendeeEntity = new Entity({ name: 'Attendee', table, schema: attendeeSchema })

const personSchema = item({
  email: string().key().savedAs('pk').transform({ encode: (e: string) => `PERSON#${lower(e)}`, decode: (pk: string) => pk.slice(7) }),
  sk: string().key().const('PROFILE').hidden(),
  unsubscribedAt: string().optional(),
  blockedAt: string().optional(),
  bouncedAt: string().optional(),
  complainedAt: string().optional(),
  /** The last bounce or complaint as SES described it (diagnostic code, feedback type). */
  suppressionDetail: string().optional(),
})
export const PersonEntity = new Entity({ name: 'Person', table, schema: personSchema })

export const MAIL_OUTCOMES = ['received', 'created', 'updated', 'cancelled', 'reply', 'refreshed', 'ignored', 'rejected', 'failed'] as const
export type MailOutcome = (typeof MAIL_OUTCOMES)[number]

const mailLogSchema = item({
  key: string().key().savedAs('pk').transform({ encode: (k: string) => `MAIL#${k}`, decode: (pk: string) => pk.slice(5) }),
  sk: string().key().const('MAIL').hidden(),
  mailbox: string(),
  sender: string().default(''),
  subject: string().default(''),
  receivedAt: string(),
  outcome: string().enum(...MAIL_OUTCOMES),
  /** A sentence a person understands. */
  reason: string().optional(),
  eventUid: string().optional(),
  method: string().optional(),
  senderVerified: boolean().default(false),
  /** Non-fatal remarks (an unknown time zone…). */
  warnings: list(string()).default(() => []),
  attempts: number().default(1),
  /**
   * What SES's receipt notification said (verdicts, envelope sender, From), kept so a replay
   * decides trust as the first delivery did. Absent on mail logged before it was kept.
   */
  receipt: map({
    source: string(),
    from: list(string()),
    spf: string(),
    dkim: string(),
    dmarc: string(),
    spam: string(),
    virus: string(),
  }).optional(),
}).and((schema) => ({
  gsi1pk: string().hidden().putLink<typeof schema>(({ sender }) => `MAILFROM#${lower(sender)}`),
  gsi1sk: string().hidden().putLink<typeof schema>(({ receivedAt, key }) => `${receivedAt}#${key}`),
  gsi2pk: string().hidden().putLink<typeof schema>(({ receivedAt }) => `MAILDAY#${receivedAt.slice(0, 10)}`),
  gsi2sk: string().hidden().putLink<typeof schema>(({ receivedAt, key }) => `${receivedAt}#${key}`),
  gsi3pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ eventUid }) => (eventUid ? `EVENTMAIL#${eventUid}` : undefined)),
  gsi3sk: string().hidden().putLink<typeof schema>(({ receivedAt, key }) => `${receivedAt}#${key}`),
}))
export const MailLogEntity = new Entity({ name: 'MailLog', table, schema: mailLogSchema })

export { INVITE_ORIGINS, type InviteOrigin } from '../../shared/schemas/invites'
export const INVITE_STATUSES = ['queued', 'sent', 'failed', 'unknown', 'suppressed', 'unsubscribed'] as const
export type InviteStatus = (typeof INVITE_STATUSES)[number]

/**
 * An invitation this server sends for an event: who, how they were added, and what was last
 * sent to them. Kept apart from the Attendee item (which the iTIP rules rewrite on every
 * organizer update) so send progress and RSVP state never overwrite each other.
 */
const invitationSchema = item({
  eventUid: string().key().savedAs('pk').transform({ encode: (uid: string) => `EVENT#${uid}`, decode: (pk: string) => pk.slice(6) }),
  email: string().key().savedAs('sk').transform({ encode: (e: string) => `INVITE#${lower(e)}`, decode: (sk: string) => sk.slice(7) }),
  name: string().optional(),
  origin: string().enum(...INVITE_ORIGINS),
  invitedAt: string(),
  /** Who asked for it (an organizer's address, or `public` for the landing page). */
  invitedBy: string().optional(),
  status: string().enum(...INVITE_STATUSES).default('queued'),
  /** The SEQUENCE and METHOD last sent to this person; updates go to everyone with one. */
  sentSequence: number().optional(),
  sentMethod: string().enum('REQUEST', 'CANCEL').optional(),
  sentAt: string().optional(),
  /** Why the last send failed, in a sentence, for the organizer. */
  error: string().optional(),
})
export const InvitationEntity = new Entity({ name: 'Invitation', table, schema: invitationSchema })

/**
 * One outgoing message's idempotency record, written conditionally before SES is called:
 * `claimed` → `sent`, or `failed`/`unknown`. Its key names the event, the recipient and
 * the SEQUENCE (or the REFRESH request), so that message is sent at most once.
 */
const sendRecordSchema = item({
  key: string().key().savedAs('pk').transform({ encode: (k: string) => `SEND#${k}`, decode: (pk: string) => pk.slice(5) }),
  sk: string().key().const('SEND').hidden(),
  /** The event of an invitation; absent for a notification. */
  eventUid: string().optional(),
  email: string(),
  sequence: number().optional(),
  method: string().enum('REQUEST', 'CANCEL').optional(),
  status: string().enum('claimed', 'sent', 'failed', 'unknown'),
  claimedAt: string(),
  sentAt: string().optional(),
  sesMessageId: string().optional(),
  /** `SESMSG#<SES message id>` once sent: a bounce or complaint names the message, this finds the invitation. */
  sesLookup: string().optional().savedAs('gsi2pk'),
  sesLookupSort: string().optional().savedAs('gsi2sk'),
  error: string().optional(),
}).and((schema) => ({
  gsi1pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ eventUid }) => (eventUid ? `EVENTSEND#${eventUid}` : undefined)),
  gsi1sk: string().hidden().putLink<typeof schema>(({ claimedAt, key }) => `${claimedAt}#${key}`),
}))
export const SendRecordEntity = new Entity({ name: 'SendRecord', table, schema: sendRecordSchema })

/** An organizer's API token, stored as the SHA-256 of the secret the organizer holds. */
const apiTokenSchema = item({
  tokenHash: string().key().savedAs('pk').transform({ encode: (h: string) => `APITOKEN#${h}`, decode: (pk: string) => pk.slice(9) }),
  sk: string().key().const('APITOKEN').hidden(),
  /** A short public id to list and revoke it by. */
  id: string(),
  email: string().transform({ encode: lower, decode: (v: string) => v }),
  label: string().default(''),
  createdAt: string(),
  lastUsedAt: string().optional(),
}).and((schema) => ({
  gsi1pk: string().hidden().putLink<typeof schema>(({ email }) => `APITOKENS#${lower(email)}`),
  gsi1sk: string().hidden().putLink<typeof schema>(({ createdAt, id }) => `${createdAt}#${id}`),
}))
export const ApiTokenEntity = new Entity({ name: 'ApiToken', table, schema: apiTokenSchema })

/**
 * An event's breakdowns (answers per day, clients, origins) computed from every attendee
 * and invitation, kept with the event `version` they were computed at: every write that
 * changes attendees or invitations raises that version, so a snapshot whose version still
 * matches is current and a large event's page does not read every attendee again.
 */
const breakdownsSchema = item({
  eventUid: string().key().savedAs('pk').transform({ encode: (uid: string) => `EVENT#${uid}`, decode: (pk: string) => pk.slice(6) }),
  sk: string().key().const('BREAKDOWNS').hidden(),
  version: number(),
  breakdowns: any(),
  computedAt: string(),
})
export const BreakdownsEntity = new Entity({ name: 'Breakdowns', table, schema: breakdownsSchema, timestamps: false })

const sessionSchema = item({
  id: string().key().savedAs('pk').transform({ encode: (id: string) => `SESSION#${id}`, decode: (pk: string) => pk.slice(8) }),
  sk: string().key().const('SESSION').hidden(),
  email: string(),
  role: string().enum('organizer', 'owner').default('organizer'),
  [TTL_ATTRIBUTE]: number(),
})
export const SessionEntity = new Entity({ name: 'Session', table, schema: sessionSchema, timestamps: { created: true, modified: false } })

const signInTokenSchema = item({
  tokenHash: string().key().savedAs('pk').transform({ encode: (h: string) => `TOKEN#${h}`, decode: (pk: string) => pk.slice(6) }),
  sk: string().key().const('TOKEN').hidden(),
  email: string(),
  [TTL_ATTRIBUTE]: number(),
})
export const SignInTokenEntity = new Entity({ name: 'SignInToken', table, schema: signInTokenSchema, timestamps: { created: true, modified: false } })

/** A person given owner rights in the UI (system owners from CIS_OWNER_EMAILS need no item). */
const ownerSchema = item({
  email: string().key().savedAs('pk').transform({ encode: (e: string) => `OWNER#${lower(e)}`, decode: (pk: string) => pk.slice(6) }),
  sk: string().key().const('OWNER').hidden(),
  systemOwner: boolean().default(false),
  /** Email domains whose organizers and events this person oversees. */
  domains: list(string()).default(() => []),
  grantedBy: string().optional(),
}).and((schema) => ({
  gsi1pk: string().hidden().putLink<typeof schema>(() => 'OWNERS'),
  gsi1sk: string().hidden().putLink<typeof schema>(({ email }) => lower(email)),
}))
export const OwnerEntity = new Entity({ name: 'Owner', table, schema: ownerSchema, timestamps: { created: true, modified: true } })

/**
 * Sign-in requests counted per address or per IP in one fixed window (rate limit of the
 * sign-in form): one item per subject and window, raised with a conditional ADD, gone by TTL.
 */
const signInRateSchema = item({
  subject: string().key().savedAs('pk').transform({ encode: (s: string) => `SIGNINRATE#${s}`, decode: (pk: string) => pk.slice(11) }),
  window: string().key().savedAs('sk').transform({ encode: (w: string) => `WINDOW#${w}`, decode: (sk: string) => sk.slice(7) }),
  count: number(),
  [TTL_ATTRIBUTE]: number(),
})
export const SignInRateEntity = new Entity({ name: 'SignInRate', table, schema: signInRateSchema, timestamps: false })
