/**
 * Reads the body of an SQS message from the SES events queue: what SES said about mail we
 * sent. Every shape AWS delivers is accepted: the SNS envelope (`{"Type":"Notification",
 * "Message":"<json>"}`) or raw message delivery; configuration-set event publishing
 * (`eventType`) or identity feedback notifications (`notificationType`); SNS subscription
 * confirmations and the test message SES publishes when an event destination is added.
 *
 * Only permanent bounces and complaints (other than `not-spam` feedback) suppress an address;
 * everything else is described and changes nothing. Fields SES may add are ignored.
 * References: SES Developer Guide, "Contents of event data that Amazon SES publishes to
 * Amazon SNS" and "Amazon SNS notification contents for Amazon SES".
 */
import { z } from 'zod'
import { addressInHeader } from './address'

export type SesNotificationKind = 'bounce' | 'complaint' | 'other'

export interface SesRecipient {
  /** Lower-case address. */
  email: string
  /** What SES or the receiving server said about this recipient (diagnostic code, feedback type…). */
  detail: string
}

export interface ParsedNotification {
  kind: SesNotificationKind
  /**
   * The recipients must never be mailed again: a permanent bounce, or a complaint whose
   * feedback type is not `not-spam`. Always false for `other`.
   */
  permanent: boolean
  recipients: SesRecipient[]
  /** When it happened (ISO 8601): the bounce's or complaint's own time, else the mail's, else SNS's. */
  at: string
  /** The SES message id of the mail it is about. */
  sesMessageId?: string
  /** The type as given: `Bounce`, `DeliveryDelay`, `SubscriptionConfirmation`… */
  type: string
  /** One sentence for the log: what happened and what it means here. */
  description: string
}

/** The body is not an SES notification we can read: retrying cannot help. */
export class UnreadableSesNotification extends Error {
  constructor(
    reason: string,
    /** The start of the body, for the log. */
    readonly excerpt: string,
  ) {
    super(reason)
    this.name = 'UnreadableSesNotification'
  }
}

// ------------------------------------------------------------------ schemas
// Only the fields read here; zod drops the rest, so fields SES adds later do no harm.

const SnsEnvelope = z.object({
  Type: z.string(),
  Message: z.string().optional(),
  MessageId: z.string().optional(),
  TopicArn: z.string().optional(),
  Timestamp: z.string().optional(),
  SubscribeURL: z.string().optional(),
})

const Mail = z.object({
  timestamp: z.string().optional(),
  messageId: z.string().optional(),
  destination: z.array(z.string()).optional(),
})

const Bounce = z.object({
  bounceType: z.string(),
  bounceSubType: z.string().optional(),
  bouncedRecipients: z.array(
    z.object({
      emailAddress: z.string(),
      action: z.string().optional(),
      status: z.string().optional(),
      diagnosticCode: z.string().optional(),
    }),
  ),
  timestamp: z.string().optional(),
})

const Complaint = z.object({
  complainedRecipients: z.array(z.object({ emailAddress: z.string() })),
  complaintFeedbackType: z.string().optional(),
  complaintSubType: z.string().nullable().optional(),
  userAgent: z.string().optional(),
  timestamp: z.string().optional(),
})

const Delivery = z.object({ timestamp: z.string().optional(), recipients: z.array(z.string()).optional(), smtpResponse: z.string().optional() })
const DeliveryDelay = z.object({
  timestamp: z.string().optional(),
  delayType: z.string().optional(),
  delayedRecipients: z.array(z.object({ emailAddress: z.string(), diagnosticCode: z.string().optional() })).optional(),
})
const Reject = z.object({ reason: z.string().optional() })

const SesRecord = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: Mail.optional(),
  bounce: z.unknown().optional(),
  complaint: z.unknown().optional(),
  delivery: Delivery.optional(),
  deliveryDelay: DeliveryDelay.optional(),
  reject: Reject.optional(),
  /** SES's own notices (AmazonSnsSubscriptionSucceeded) carry a sentence here. */
  message: z.string().optional(),
})
type SesRecord = z.infer<typeof SesRecord>

/** The test message SES publishes to a topic when it is made an event destination. */
const TOPIC_VALIDATED = /^Successfully validated SNS topic for Amazon SES/i

// ------------------------------------------------------------------ reading

export interface ParseOptions {
  /** When SQS received the message (ISO 8601): the time used if the body names none. */
  receivedAt?: string
}

/** Reads one SQS message body; throws UnreadableSesNotification for anything else. */
export function parseSesNotification(body: string, options: ParseOptions = {}): ParsedNotification {
  const excerpt = body.slice(0, 200)
  const json = parseJson(body)
  if (json === undefined) {
    // With raw message delivery, SES's validation message arrives as plain text.
    if (TOPIC_VALIDATED.test(body.trim())) return topicValidated(options.receivedAt, 'raw')
    throw new UnreadableSesNotification('The message is not JSON.', excerpt)
  }
  const envelope = SnsEnvelope.safeParse(json)
  if (envelope.success && typeof (json as { Type?: unknown }).Type === 'string') {
    return readEnvelope(envelope.data, options, excerpt)
  }
  return readRecord(json, options.receivedAt, excerpt)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function readEnvelope(envelope: z.infer<typeof SnsEnvelope>, options: ParseOptions, excerpt: string): ParsedNotification {
  const at = envelope.Timestamp ?? options.receivedAt
  const topic = envelope.TopicArn ?? 'an SNS topic'
  if (envelope.Type === 'SubscriptionConfirmation' || envelope.Type === 'UnsubscribeConfirmation') {
    const action = envelope.Type === 'SubscriptionConfirmation' ? 'to confirm the subscription' : 'to subscribe again'
    return other(envelope.Type, at, `SNS asks, for ${topic}, ${action}: visit ${envelope.SubscribeURL ?? 'the SubscribeURL in the message'} (nothing is confirmed automatically).`)
  }
  if (envelope.Type !== 'Notification') throw new UnreadableSesNotification(`Unknown SNS message type ${envelope.Type}.`, excerpt)
  const message = envelope.Message ?? ''
  const inner = parseJson(message)
  if (inner === undefined) {
    if (TOPIC_VALIDATED.test(message.trim())) return topicValidated(at, topic)
    throw new UnreadableSesNotification(`The SNS message from ${topic} does not carry JSON.`, excerpt)
  }
  return readRecord(inner, at, excerpt)
}

function readRecord(json: unknown, fallbackAt: string | undefined, excerpt: string): ParsedNotification {
  const parsed = SesRecord.safeParse(json)
  if (!parsed.success) throw new UnreadableSesNotification('The message is not an SES notification.', excerpt)
  const record = parsed.data
  const type = record.eventType ?? record.notificationType
  if (!type) throw new UnreadableSesNotification('The message names no eventType or notificationType.', excerpt)
  const base = {
    sesMessageId: record.mail?.messageId,
    at: record.mail?.timestamp ?? fallbackAt,
  }
  switch (type) {
    case 'Bounce':
      return readBounce(record, base, excerpt)
    case 'Complaint':
      return readComplaint(record, base, excerpt)
    default: {
      const { at, ...described } = describeOther(type, record)
      return { ...described, type, kind: 'other', permanent: false, ...withAt(base, excerpt, at) }
    }
  }
}

type Base = { sesMessageId?: string; at?: string }

const withAt = (base: Base, excerpt: string, own?: string) => {
  const at = own ?? base.at
  if (!at) throw new UnreadableSesNotification('The notification says nothing about when it happened.', excerpt)
  return { at, ...(base.sesMessageId ? { sesMessageId: base.sesMessageId } : {}) }
}

function readBounce(record: SesRecord, base: Base, excerpt: string): ParsedNotification {
  const parsed = Bounce.safeParse(record.bounce)
  if (!parsed.success) throw new UnreadableSesNotification('A Bounce without a readable bounce object.', excerpt)
  const bounce = parsed.data
  const permanent = bounce.bounceType === 'Permanent'
  const recipients = named(
    bounce.bouncedRecipients.map((r) => ({
      email: addressInHeader(r.emailAddress),
      detail: r.diagnosticCode ?? ([r.action, r.status].filter(Boolean).join(' ') || `${bounce.bounceType} bounce (${bounce.bounceSubType ?? 'no subtype'})`),
    })),
  )
  const kindOf = `${bounce.bounceType.toLowerCase()} bounce${bounce.bounceSubType ? ` (${bounce.bounceSubType})` : ''}`
  const who = list(recipients)
  const description = permanent
    ? `A ${kindOf} for ${who}: never mailed again.`
    : bounce.bounceType === 'Transient'
      ? `A ${kindOf} for ${who}: SES gave up for now; not suppressed, a later send may succeed.`
      : `A ${kindOf} for ${who}: SES could not tell why; not suppressed.`
  return { kind: 'bounce', type: 'Bounce', permanent, recipients, description, ...withAt(base, excerpt, bounce.timestamp) }
}

function readComplaint(record: SesRecord, base: Base, excerpt: string): ParsedNotification {
  const parsed = Complaint.safeParse(record.complaint)
  if (!parsed.success) throw new UnreadableSesNotification('A Complaint without a readable complaint object.', excerpt)
  const complaint = parsed.data
  const feedback = complaint.complaintFeedbackType
  // "not-spam": the reporter says the message is not spam (a correction), so nothing to act on.
  const permanent = feedback !== 'not-spam'
  const label = feedback ? `complaint (${feedback})` : 'complaint without a feedback report'
  const detail = [label, complaint.complaintSubType, complaint.userAgent ? `from ${complaint.userAgent}` : null].filter(Boolean).join(', ')
  const recipients = named(complaint.complainedRecipients.map((r) => ({ email: addressInHeader(r.emailAddress), detail })))
  const who = list(recipients)
  const description = permanent
    ? `A ${label} about mail to ${who}${complaint.userAgent ? ` (reported by ${complaint.userAgent})` : ''}: never mailed again.`
    : `A not-spam report about mail to ${who}: it says the mail was wanted; nothing changes.`
  return { kind: 'complaint', type: 'Complaint', permanent, recipients, description, ...withAt(base, excerpt, complaint.timestamp) }
}

/** Recipients and a sentence for the events that change nothing here. */
function describeOther(type: string, record: SesRecord): { recipients: SesRecipient[]; description: string; at?: string } {
  const destination = (detail: string) => named((record.mail?.destination ?? []).map((email) => ({ email: addressInHeader(email), detail })))
  switch (type) {
    case 'Delivery': {
      const detail = record.delivery?.smtpResponse ?? 'delivered'
      const recipients = named((record.delivery?.recipients ?? []).map((email) => ({ email: addressInHeader(email), detail })))
      return { recipients, description: `Delivered to ${list(recipients)}.`, at: record.delivery?.timestamp }
    }
    case 'DeliveryDelay': {
      const delay = record.deliveryDelay
      const recipients = named((delay?.delayedRecipients ?? []).map((r) => ({ email: addressInHeader(r.emailAddress), detail: r.diagnosticCode ?? delay?.delayType ?? 'delayed' })))
      return { recipients, description: `Delivery to ${list(recipients)} is delayed (${delay?.delayType ?? 'no reason given'}); SES keeps trying.`, at: delay?.timestamp }
    }
    case 'Reject': {
      const recipients = destination(record.reject?.reason ?? 'rejected')
      return { recipients, description: `SES rejected the message to ${list(recipients)} (${record.reject?.reason ?? 'no reason given'}) and did not send it.` }
    }
    case 'Send': {
      const recipients = destination('accepted by SES')
      return { recipients, description: `SES accepted the message to ${list(recipients)}.` }
    }
    default:
      return { recipients: destination(type), description: record.message ?? `An SES ${type} event; nothing to do.` }
  }
}

function topicValidated(at: string | undefined, topic: string): ParsedNotification {
  return other('TopicValidation', at, `SES validated ${topic === 'raw' ? 'the SNS topic' : topic} as an event destination; nothing to do.`)
}

function other(type: string, at: string | undefined, description: string): ParsedNotification {
  return { kind: 'other', type, permanent: false, recipients: [], at: at ?? new Date(0).toISOString(), description }
}

/** A recipient SES named by something that holds no address names nobody. */
const named = (recipients: SesRecipient[]) => recipients.filter((r) => r.email !== '')

const list = (recipients: SesRecipient[]) => (recipients.length ? recipients.map((r) => r.email).join(', ') : 'no named recipient')
