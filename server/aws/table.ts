/**
 * The single DynamoDB table and its entities (dynamodb-toolbox).
 *
 * Access patterns and the keys that serve them:
 *
 * | access pattern                                   | index | partition key          | sort key                    |
 * |--------------------------------------------------|-------|------------------------|-----------------------------|
 * | an event by UID                                  | table | EVENT#<uid>            | EVENT                       |
 * | an event by its public id (the public pages)     | table | PUBLICID#<id>          | PUBLICID                    |
 * | an organizer by their public id (their page)     | table | PUBLICORG#<id>         | PUBLICORG                   |
 * | attendees of an event (paginated, any number)    | table | EVENT#<uid>            | begins_with ATTENDEE#       |
 * | an organizer's events by start time              | gsi1  | ORGANIZER#<email>      | <start>#<uid>               |
 * | an attendee's records across events              | gsi1  | PERSON#<email>         | EVENT#<uid>                 |
 * | a domain's events by start time                  | gsi2  | DOMAIN#<domain>        | EVENT#<start>#<uid>         |
 * | a domain's organizers                            | gsi2  | DOMAIN#<domain>        | ORGANIZER#<email>           |
 * | every organizer, grouped by domain (owners)      | gsi3  | ORGANIZERS             | <domain>#<email>            |
 * | upcoming public events (one partition per month) | gsi3  | PUBLIC#<yyyy-mm>       | <start>#<uid>               |
 * | listed recurring events (whatever their start)   | gsi3  | PUBLIC#RECURRING       | <start>#<uid>               |
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
 * | an address's consent to an organizer's invitations | table | CONSENT#<email>      | ORGANIZER#<email>           |
 * | invite requests per address, client or event     | table | INVITERATE#<subject>   | WINDOW#<start> (TTL)        |
 * | an invitation list (VIP upload, mailed list)      | table | LIST#<id>              | LIST                        |
 * | a list's rejected rows, in row order              | table | LIST#<id>              | REJECT#<pass>#<row>         |
 * | an event's lists, newest last                     | gsi1  | EVENTLISTS#<uid>       | <createdAt>#<id>            |
 * | an organizer's lists, newest last                 | gsi2  | ORGANIZERLISTS#<email> | <createdAt>#<id>            |
 * | invitations an organizer queued in a day (quota)  | table | INVITEQUOTA#<email>    | WINDOW#<day start> (TTL)    |
 * | a bulk sender (may mail CSVs to bulk@) / every one | table / gsi1 | BULKSENDER#<email> / BULKSENDERS | BULKSENDER / <email> |
 *
 * Items expire through the `expiresAt` TTL attribute (epoch seconds). Writes that must
 * happen together use TransactWrite; idempotent writes use conditions on `pk`; events
 * carry a `version` for optimistic concurrency (see server/services/event-store.ts).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb'
import { Table, Entity, item, string, number, boolean, list, map, record, any } from 'dynamodb-toolbox'
import { clients } from './clients'
import { INVITE_ORIGINS, INVITE_STATUSES } from '../../shared/schemas/invites'
import { LIST_ORIGINS, LIST_PASSES, LIST_PHASES } from '../../shared/schemas/lists'
import { LIST_LAYOUTS } from '../domain/lists/list-entry'
import { ATTENDEE_SOURCES, EVENT_STATUSES, PARTSTAT_VALUES } from '../../shared/vocabulary'
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

/** A key that is a fixed prefix and a value; `decode` gives the value back. */
interface PrefixedKey {
  (value: string): string
  readonly prefix: string
  decode(key: string): string
}
function prefixed(prefix: string, normalise: (value: string) => string = (value) => value): PrefixedKey {
  return Object.assign((value: string) => prefix + normalise(value), { prefix, decode: (key: string) => key.slice(prefix.length) })
}
/** A key attribute stored with its prefix and read without it. */
const stored = (key: PrefixedKey) => ({ encode: (value: string) => key(value), decode: key.decode })

/**
 * Every key the table holds, written once (the access patterns above): the entities below
 * store them and the services query with them. Addresses in keys are trimmed and lower-case.
 */
export const keys = {
  /** An event's partition (the event, its attendees, invitations and breakdowns); an attendee's gsi1 sort key. */
  event: prefixed('EVENT#'),
  eventItem: 'EVENT',
  attendee: prefixed('ATTENDEE#', lower),
  invitation: prefixed('INVITE#', lower),
  breakdownsItem: 'BREAKDOWNS',
  /** An organizer's profile; the gsi1 partition of their events; their gsi2 sort key under the domain. */
  organizer: prefixed('ORGANIZER#', lower),
  profileItem: 'PROFILE',
  /** The gsi3 partition of every organizer. */
  organizers: 'ORGANIZERS',
  /** The gsi2 partition of a domain's events and organizers. */
  domain: prefixed('DOMAIN#'),
  /** An event's gsi2 sort key under its domain, given `ordered(start, uid)`. */
  domainEvent: prefixed('EVENT#'),
  /** The address of an event's public pages, pointing to its UID. */
  publicId: prefixed('PUBLICID#'),
  publicIdItem: 'PUBLICID',
  /** The address of an organizer's public page, pointing to their profile. */
  organizerPublicId: prefixed('PUBLICORG#'),
  organizerPublicIdItem: 'PUBLICORG',
  /** The gsi3 partition of the listed events starting in the month of `start` (ISO, or `yyyy-mm`). */
  publicMonth: (start: string) => `PUBLIC#${start.slice(0, 7)}`,
  person: prefixed('PERSON#', lower),
  mail: prefixed('MAIL#'),
  mailItem: 'MAIL',
  mailFrom: prefixed('MAILFROM#', lower),
  /** The gsi2 partition of the mail received on the day of `receivedAt` (ISO, or `yyyy-mm-dd`). */
  mailDay: (receivedAt: string) => `MAILDAY#${receivedAt.slice(0, 10)}`,
  eventMail: prefixed('EVENTMAIL#'),
  send: prefixed('SEND#'),
  sendItem: 'SEND',
  eventSends: prefixed('EVENTSEND#'),
  sesMessage: prefixed('SESMSG#'),
  rate: prefixed('RATE#'),
  rateItem: 'RATE',
  owner: prefixed('OWNER#', lower),
  ownerItem: 'OWNER',
  /** The gsi1 partition of every owner. */
  owners: 'OWNERS',
  apiToken: prefixed('APITOKEN#'),
  apiTokenItem: 'APITOKEN',
  organizerTokens: prefixed('APITOKENS#', lower),
  session: prefixed('SESSION#'),
  sessionItem: 'SESSION',
  signInToken: prefixed('TOKEN#'),
  signInTokenItem: 'TOKEN',
  signInRate: prefixed('SIGNINRATE#'),
  signInWindow: prefixed('WINDOW#'),
  /** A person's confirmed wish for invitations (double opt-in), one item per organizer. */
  inviteConsent: prefixed('CONSENT#', lower),
  inviteRequestRate: prefixed('INVITERATE#'),
  /** An invitation list and its rejected rows (a fixed-width row number sorts them in order). */
  list: prefixed('LIST#'),
  listItem: 'LIST',
  listReject: (pass: string, row: number) => `REJECT#${pass}#${String(row).padStart(10, '0')}`,
  listRejectPrefix: (pass?: string) => (pass ? `REJECT#${pass}#` : 'REJECT#'),
  eventLists: prefixed('EVENTLISTS#'),
  organizerLists: prefixed('ORGANIZERLISTS#', lower),
  inviteQuota: prefixed('INVITEQUOTA#', lower),
  /** A person who may mail CSV lists to the bulk mailbox. */
  bulkSender: prefixed('BULKSENDER#', lower),
  bulkSenderItem: 'BULKSENDER',
  /** The gsi1 partition of every bulk sender. */
  bulkSenders: 'BULKSENDERS',
  /** A sort key in the order of `first` (a time, a domain), then `then`; without `then`, the prefix of every key starting so. */
  ordered: (first: string, then = '') => `${first}#${then}`,
  /** The gsi3 partition of the listed recurring events (their next occurrence is computed, not keyed). */
  publicRecurring: 'PUBLIC#RECURRING',
} as const

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
  uid: string().key().savedAs('pk').transform(stored(keys.event)),
  sk: string().key().const(keys.eventItem).hidden(),
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
  status: string().enum(...EVENT_STATUSES).default('CONFIRMED'),
  sequence: number().default(0),
  /**
   * The SEQUENCE of the invitations this server sends: the organizer's, raised by one on
   * every change sent to attendees (an organizer may change a description without raising
   * theirs, but clients ignore an update without a higher SEQUENCE than the last).
   */
  inviteSequence: number().optional(),
  dtstamp: string(),
  /** The calendar client that produced the last applied message (PRODID). */
  prodid: string().optional(),
  /** Listed on the public pages (the organizer decides); unlisted events are reachable by their public id only. */
  listed: boolean().default(false),
  /**
   * The random, unguessable id in the event's public addresses (never the UID, which the
   * organizer's calendar made and may be guessable); absent on events stored before it
   * existed until first asked for (services/public-events.ts).
   */
  publicId: string().optional(),
  counts,
  attendeeCount: number().default(0),
  /** People this server has sent the invitation to (first sends only); absent on events stored before it existed. */
  invitesSent: number().optional(),
  sourceMailKey: string().optional(),
  /** Raised on every write; writes are conditional on the value read (optimistic locking). */
  version: number().default(1),
}).and((schema) => ({
  gsi1pk: string().hidden().putLink<typeof schema>(({ organizerEmail }) => keys.organizer(organizerEmail)),
  gsi1sk: string().hidden().putLink<typeof schema>(({ start, uid }) => keys.ordered(start, uid)),
  gsi2pk: string().hidden().putLink<typeof schema>(({ organizerDomain }) => keys.domain(organizerDomain)),
  gsi2sk: string().hidden().putLink<typeof schema>(({ start, uid }) => keys.domainEvent(keys.ordered(start, uid))),
  // Sparse: only listed, not cancelled events are on the public index. A series goes in its
  // own partition: its next occurrence may be years after the month of its first start.
  gsi3pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ listed, status, start, rrule, rdates }) =>
      listed && status !== 'CANCELLED' ? (rrule || rdates.length ? keys.publicRecurring : keys.publicMonth(start)) : undefined,
    ),
  gsi3sk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ listed, status, start, uid }) => (listed && status !== 'CANCELLED' ? keys.ordered(start, uid) : undefined)),
}))

export const EventEntity = new Entity({ name: 'Event', table, schema: eventSchema })

/** An event's public id, pointing to the event: written with the event's first write of that id. */
const publicIdSchema = item({
  publicId: string().key().savedAs('pk').transform(stored(keys.publicId)),
  sk: string().key().const(keys.publicIdItem).hidden(),
  eventUid: string(),
})
export const PublicIdEntity = new Entity({ name: 'PublicId', table, schema: publicIdSchema, timestamps: false })

/** An organizer's public id, pointing to their profile. */
const organizerPublicIdSchema = item({
  publicId: string().key().savedAs('pk').transform(stored(keys.organizerPublicId)),
  sk: string().key().const(keys.organizerPublicIdItem).hidden(),
  organizerEmail: string(),
})
export const OrganizerPublicIdEntity = new Entity({ name: 'OrganizerPublicId', table, schema: organizerPublicIdSchema, timestamps: false })

const organizerSchema = item({
  email: string().key().savedAs('pk').transform(stored(keys.organizer)),
  sk: string().key().const(keys.profileItem).hidden(),
  name: string().optional(),
  domain: string(),
  // Counters raised by updates ($add), so either may be missing until its first raise.
  eventCount: number().optional(),
  replyCount: number().optional(),
  /** The random id in the address of their public page (never their address); made when first asked for. */
  publicId: string().optional(),
}).and((schema) => ({
  // Organizers are written by updates (counters), so the links are computed on update too.
  gsi2pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ domain }) => keys.domain(domain))
    .updateLink<typeof schema>(({ domain }) => (typeof domain === 'string' ? keys.domain(domain) : undefined)),
  gsi2sk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ email }) => keys.organizer(email))
    .updateLink<typeof schema>(({ email }) => (typeof email === 'string' ? keys.organizer(email) : undefined)),
  gsi3pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(() => keys.organizers)
    .updateLink<typeof schema>(({ domain }) => (typeof domain === 'string' ? keys.organizers : undefined)),
  gsi3sk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ domain, email }) => keys.ordered(domain, lower(email)))
    .updateLink<typeof schema>(({ domain, email }) => (typeof domain === 'string' && typeof email === 'string' ? keys.ordered(domain, lower(email)) : undefined)),
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
  eventUid: string().key().savedAs('pk').transform(stored(keys.event)),
  email: string().key().savedAs('sk').transform(stored(keys.attendee)),
  name: string().optional(),
  partstat: string().enum(...PARTSTAT_VALUES).default('NEEDS-ACTION'),
  /** Per-instance answers of a recurring event, keyed by RECURRENCE-ID. */
  instancePartstats: record(string(), string()).default(() => ({})),
  role: string().optional(),
  /** How they came to be here: named in the organizer's invite, invited by us, or a forwarded invite. */
  source: string().enum(...ATTENDEE_SOURCES).default('organizer'),
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
  gsi1pk: string().hidden().putLink<typeof schema>(({ email }) => keys.person(email)),
  gsi1sk: string().hidden().putLink<typeof schema>(({ eventUid }) => keys.event(eventUid)),
}))
export const AttendeeEntity = new Entity({ name: 'Attendee', table, schema: attendeeSchema })

const personSchema = item({
  email: string().key().savedAs('pk').transform(stored(keys.person)),
  sk: string().key().const(keys.profileItem).hidden(),
  unsubscribedAt: string().optional(),
  blockedAt: string().optional(),
  bouncedAt: string().optional(),
  complainedAt: string().optional(),
  /** The last bounce or complaint as SES described it (diagnostic code, feedback type). */
  suppressionDetail: string().optional(),
})
export const PersonEntity = new Entity({ name: 'Person', table, schema: personSchema })

/** `list`: CSV lists mailed to the bulk mailbox, read by the list worker (the reason says how they went once they are read). */
export const MAIL_OUTCOMES = ['received', 'created', 'updated', 'cancelled', 'reply', 'refreshed', 'list', 'ignored', 'rejected', 'failed'] as const
export type MailOutcome = (typeof MAIL_OUTCOMES)[number]

const mailLogSchema = item({
  key: string().key().savedAs('pk').transform(stored(keys.mail)),
  sk: string().key().const(keys.mailItem).hidden(),
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
  /** The invitation lists a message to the bulk mailbox became, one per CSV attachment, in attachment order. */
  listIds: list(string()).optional(),
  /**
   * The notification about this message (its send job, as JSON) while it is not yet on the
   * send queue: written with the outcome, removed once queued, so a redelivery of a message
   * whose notification could not be queued queues it then instead of losing it.
   */
  pendingNotification: string().optional(),
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
  gsi1pk: string().hidden().putLink<typeof schema>(({ sender }) => keys.mailFrom(sender)),
  gsi1sk: string().hidden().putLink<typeof schema>(({ receivedAt, key }) => keys.ordered(receivedAt, key)),
  gsi2pk: string().hidden().putLink<typeof schema>(({ receivedAt }) => keys.mailDay(receivedAt)),
  gsi2sk: string().hidden().putLink<typeof schema>(({ receivedAt, key }) => keys.ordered(receivedAt, key)),
  gsi3pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ eventUid }) => (eventUid ? keys.eventMail(eventUid) : undefined)),
  gsi3sk: string().hidden().putLink<typeof schema>(({ receivedAt, key }) => keys.ordered(receivedAt, key)),
}))
export const MailLogEntity = new Entity({ name: 'MailLog', table, schema: mailLogSchema })

export { INVITE_ORIGINS, INVITE_STATUSES, type InviteOrigin, type InviteStatus } from '../../shared/schemas/invites'

/**
 * An invitation this server sends for an event: who, how they were added, and what was last
 * sent to them. Kept apart from the Attendee item (which the iTIP rules rewrite on every
 * organizer update) so send progress and RSVP state never overwrite each other.
 */
const invitationSchema = item({
  eventUid: string().key().savedAs('pk').transform(stored(keys.event)),
  email: string().key().savedAs('sk').transform(stored(keys.invitation)),
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
  /** The invitation list that queued it, whose figures count its outcome. */
  listId: string().optional(),
  /** Its outcome is counted in that list's figures (at most once). */
  listCounted: boolean().optional(),
})
export const InvitationEntity = new Entity({ name: 'Invitation', table, schema: invitationSchema })

/**
 * One outgoing message's idempotency record, written conditionally before SES is called:
 * `claimed` → `sent`, or `failed`/`unknown`. Its key names the event, the recipient and
 * the SEQUENCE (or the REFRESH request), so that message is sent at most once.
 */
const sendRecordSchema = item({
  key: string().key().savedAs('pk').transform(stored(keys.send)),
  sk: string().key().const(keys.sendItem).hidden(),
  /** The event of an invitation; absent for a notification. */
  eventUid: string().optional(),
  email: string(),
  sequence: number().optional(),
  method: string().enum('REQUEST', 'CANCEL').optional(),
  status: string().enum('claimed', 'sent', 'failed', 'unknown'),
  claimedAt: string(),
  sentAt: string().optional(),
  sesMessageId: string().optional(),
  error: string().optional(),
}).and((schema) => ({
  gsi1pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ eventUid }) => (eventUid ? keys.eventSends(eventUid) : undefined)),
  gsi1sk: string().hidden().putLink<typeof schema>(({ claimedAt, key }) => keys.ordered(claimedAt, key)),
  // Once sent: a bounce or complaint names the SES message, this finds the invitation.
  gsi2pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ sesMessageId }) => (sesMessageId ? keys.sesMessage(sesMessageId) : undefined))
    .updateLink<typeof schema>(({ sesMessageId }) => (typeof sesMessageId === 'string' ? keys.sesMessage(sesMessageId) : undefined)),
  gsi2sk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ sesMessageId }) => (sesMessageId ? keys.sendItem : undefined))
    .updateLink<typeof schema>(({ sesMessageId }) => (typeof sesMessageId === 'string' ? keys.sendItem : undefined)),
}))
export const SendRecordEntity = new Entity({ name: 'SendRecord', table, schema: sendRecordSchema })

/** An organizer's API token, stored as the SHA-256 of the secret the organizer holds. */
const apiTokenSchema = item({
  tokenHash: string().key().savedAs('pk').transform(stored(keys.apiToken)),
  sk: string().key().const(keys.apiTokenItem).hidden(),
  /** A short public id to list and revoke it by. */
  id: string(),
  email: string().transform({ encode: lower, decode: (v: string) => v }),
  label: string().default(''),
  createdAt: string(),
  lastUsedAt: string().optional(),
}).and((schema) => ({
  gsi1pk: string().hidden().putLink<typeof schema>(({ email }) => keys.organizerTokens(email)),
  gsi1sk: string().hidden().putLink<typeof schema>(({ createdAt, id }) => keys.ordered(createdAt, id)),
}))
export const ApiTokenEntity = new Entity({ name: 'ApiToken', table, schema: apiTokenSchema })

/**
 * An event's breakdowns (answers per day, clients, origins) computed from every attendee
 * and invitation, kept with the event `version` they were computed at: every write that
 * changes attendees or invitations raises that version, so a snapshot whose version still
 * matches is current and a large event's page does not read every attendee again.
 */
const breakdownsSchema = item({
  eventUid: string().key().savedAs('pk').transform(stored(keys.event)),
  sk: string().key().const(keys.breakdownsItem).hidden(),
  version: number(),
  breakdowns: any(),
  computedAt: string(),
})
export const BreakdownsEntity = new Entity({ name: 'Breakdowns', table, schema: breakdownsSchema, timestamps: false })

const sessionSchema = item({
  id: string().key().savedAs('pk').transform(stored(keys.session)),
  sk: string().key().const(keys.sessionItem).hidden(),
  email: string(),
  role: string().enum('organizer', 'owner').default('organizer'),
  [TTL_ATTRIBUTE]: number(),
})
export const SessionEntity = new Entity({ name: 'Session', table, schema: sessionSchema, timestamps: { created: true, modified: false } })

const signInTokenSchema = item({
  tokenHash: string().key().savedAs('pk').transform(stored(keys.signInToken)),
  sk: string().key().const(keys.signInTokenItem).hidden(),
  email: string(),
  [TTL_ATTRIBUTE]: number(),
})
export const SignInTokenEntity = new Entity({ name: 'SignInToken', table, schema: signInTokenSchema, timestamps: { created: true, modified: false } })

/** A person given owner rights in the UI (system owners from CIS_OWNER_EMAILS need no item). */
const ownerSchema = item({
  email: string().key().savedAs('pk').transform(stored(keys.owner)),
  sk: string().key().const(keys.ownerItem).hidden(),
  systemOwner: boolean().default(false),
  /** Email domains whose organizers and events this person oversees. */
  domains: list(string()).default(() => []),
  grantedBy: string().optional(),
}).and((schema) => ({
  gsi1pk: string().hidden().putLink<typeof schema>(() => keys.owners),
  gsi1sk: string().hidden().putLink<typeof schema>(({ email }) => lower(email)),
}))
export const OwnerEntity = new Entity({ name: 'Owner', table, schema: ownerSchema, timestamps: { created: true, modified: true } })

/**
 * Requests counted per subject (an address, a client, an event) in one fixed window, for a
 * form's rate limits: one item per subject and window, raised with a conditional ADD
 * (services/request-windows.ts), gone by TTL. Each form counts under its own key prefix.
 */
const requestWindowEntity = (name: string, subjectKey: PrefixedKey) =>
  new Entity({
    name,
    table,
    schema: item({
      subject: string().key().savedAs('pk').transform(stored(subjectKey)),
      window: string().key().savedAs('sk').transform(stored(keys.signInWindow)),
      count: number(),
      [TTL_ATTRIBUTE]: number(),
    }),
    timestamps: false,
  })
export type RequestWindowEntity = ReturnType<typeof requestWindowEntity>

/** Sign-in requests per address or per IP. */
export const SignInRateEntity = requestWindowEntity('SignInRate', keys.signInRate)

/**
 * An address confirmed (double opt-in, by the POST of the link mailed to it) that it wants
 * the invitations it asks for on the public pages of one organizer's events. Per organizer,
 * not for the whole server: a yes to one organizer's event must not let strangers have this
 * server mail the address invitations from every other organizer here.
 */
const inviteConsentSchema = item({
  email: string().key().savedAs('pk').transform(stored(keys.inviteConsent)),
  organizerEmail: string().key().savedAs('sk').transform(stored(keys.organizer)),
  confirmedAt: string(),
  /** The event whose confirmation link was used first. */
  eventUid: string(),
})
export const InviteConsentEntity = new Entity({ name: 'InviteConsent', table, schema: inviteConsentSchema, timestamps: false })

/** "Send me the invite" requests per address, client or event. */
export const InviteRequestRateEntity = requestWindowEntity('InviteRequestRate', keys.inviteRequestRate)

/** Invitations an organizer (or a bulk sender) queued in one UTC day: the daily quota. */
export const InviteQuotaEntity = requestWindowEntity('InviteQuota', keys.inviteQuota)

/**
 * An invitation list (services/invitation-lists.ts): where its file is, how far the worker
 * has read it (`position`: the last row handled), and its figures. The worker's progress
 * and the figures move together in one conditional update, so a worker that dies resumes
 * after the last row it accounted for and counts nothing twice.
 */
const invitationListSchema = item({
  id: string().key().savedAs('pk').transform(stored(keys.list)),
  sk: string().key().const(keys.listItem).hidden(),
  organizerEmail: string(),
  origin: string().enum(...LIST_ORIGINS),
  layout: string().enum(...LIST_LAYOUTS),
  eventUid: string().optional(),
  fileName: string().optional(),
  /** The file in the mail bucket. */
  fileKey: string(),
  size: number().optional(),
  phase: string().enum(...LIST_PHASES),
  problem: string().optional(),
  /** The last row the current pass has accounted for (0 before it starts). */
  position: number().default(0),
  rows: number().default(0),
  valid: number().default(0),
  invalid: number().default(0),
  duplicates: number().default(0),
  queued: number().default(0),
  refused: number().default(0),
  sent: number().default(0),
  failed: number().default(0),
  skipped: number().default(0),
  /** The daily invitation limit that applies (a bulk sender's own, or the server's). */
  dailyLimit: number().optional(),
  /** Who is told how a mailed list went, and the message it came in (for the mail log and threading). */
  reportTo: string().optional(),
  mailKey: string().optional(),
  inReplyTo: string().optional(),
  createdAt: string(),
  confirmedAt: string().optional(),
  finishedAt: string().optional(),
}).and((schema) => ({
  gsi1pk: string()
    .optional()
    .hidden()
    .putLink<typeof schema>(({ eventUid }) => (eventUid ? keys.eventLists(eventUid) : undefined)),
  gsi1sk: string().hidden().putLink<typeof schema>(({ createdAt, id }) => keys.ordered(createdAt, id)),
  gsi2pk: string().hidden().putLink<typeof schema>(({ organizerEmail }) => keys.organizerLists(organizerEmail)),
  gsi2sk: string().hidden().putLink<typeof schema>(({ createdAt, id }) => keys.ordered(createdAt, id)),
}))
export const InvitationListEntity = new Entity({ name: 'InvitationList', table, schema: invitationListSchema, timestamps: false })

/** A row of a list that was not invited, with its reason, for the preview and the downloads. */
const listRejectSchema = item({
  listId: string().key().savedAs('pk').transform(stored(keys.list)),
  sk: string().key(),
  pass: string().enum(...LIST_PASSES),
  row: number(),
  value: string(),
  reason: string(),
})
export const ListRejectEntity = new Entity({ name: 'ListReject', table, schema: listRejectSchema, timestamps: false })
/**
 * A person whose CSV lists the bulk mailbox (bulk@) accepts, named by a system owner, with
 * their own daily invitation limit or none (the server's default). Created and modified
 * timestamps: `created` is when they were first added (an update keeps it).
 */
const bulkSenderSchema = item({
  email: string().key().savedAs('pk').transform(stored(keys.bulkSender)),
  sk: string().key().const(keys.bulkSenderItem).hidden(),
  dailyLimit: number().optional(),
  addedBy: string(),
}).and((schema) => ({
  gsi1pk: string()
    .hidden()
    .putLink<typeof schema>(() => keys.bulkSenders)
    .updateLink<typeof schema>(() => keys.bulkSenders),
  gsi1sk: string()
    .hidden()
    .putLink<typeof schema>(({ email }) => lower(email))
    .updateLink<typeof schema>(({ email }) => (typeof email === 'string' ? lower(email) : undefined)),
}))
export const BulkSenderEntity = new Entity({ name: 'BulkSender', table, schema: bulkSenderSchema, timestamps: { created: true, modified: true } })
