/**
 * The one place configuration is read. Everything runs from environment variables so the
 * Nuxt server, the queue handlers and the `cis` command line (the last two run outside
 * Nitro) see the same settings. Defaults point at the embedded local stack
 * (server/local/), so a fresh clone runs without an AWS account; on Lambda
 * (AWS_LAMBDA_FUNCTION_NAME set) or with CIS_STACK=aws no local endpoint is assumed.
 */
import { z } from 'zod'
import { isMailAddress } from '../shared/mail-address'

/** Fixed default ports of the local stack; tests start their own on free ports. */
export const LOCAL_PORTS = {
  app: 3000,
  dynamodb: 4510,
  s3: 4511,
  sqs: 4512,
  ses: 4513,
  smtp: 2525,
} as const

const list = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((part) => part.trim().toLowerCase()).filter(Boolean))

const flag = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : /^(1|true|yes|on)$/i.test(value)))

const EnvSchema = z.object({
  CIS_STACK: z.enum(['local', 'aws']).optional(),
  AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
  AWS_REGION: z.string().optional(),
  CIS_REGION: z.string().optional(),
  CIS_DYNAMODB_ENDPOINT: z.string().url().optional(),
  CIS_S3_ENDPOINT: z.string().url().optional(),
  CIS_SQS_ENDPOINT: z.string().url().optional(),
  CIS_SES_ENDPOINT: z.string().url().optional(),
  CIS_TABLE: z.string().default('cis'),
  CIS_MAIL_BUCKET: z.string().default('cis-mail'),
  CIS_INBOUND_QUEUE: z.string().default('cis-inbound'),
  CIS_INBOUND_DLQ: z.string().default('cis-inbound-dlq'),
  CIS_SEND_QUEUE: z.string().default('cis-send'),
  CIS_SES_EVENTS_QUEUE: z.string().default('cis-ses-events'),
  /** The SES account's maximum send rate (messages per second), shared by every worker. */
  CIS_SEND_RATE: z.coerce.number().positive().max(10000).default(14),
  /** Deliveries of one send message before it goes to the dead-letter queue (the queue's maxReceiveCount). */
  CIS_SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** SES configuration set whose event destination reports bounces and complaints (SNS → the SES events queue). */
  CIS_SES_CONFIGURATION_SET: z.string().optional(),
  /** Signs unsubscribe links (and other tokens); required outside the local stack. */
  CIS_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The server's mailboxes are create@, rsvp@ and bulk@ this domain, so each must be a mail address. */
  CIS_MAIL_DOMAIN: z
    .string()
    .default('events.localhost')
    .refine((domain) => isMailAddress(`rsvp@${domain}`), 'is not a domain a mail address can have (such as events.example.com)'),
  CIS_FROM_ADDRESS: z.string().optional(),
  CIS_SITE_URL: z.string().url().optional(),
  CIS_ALLOWED_ORGANIZER_DOMAINS: list,
  CIS_REQUIRE_VERIFIED_SENDER: flag(true),
  CIS_NOTIFY_ORGANIZER: flag(true),
  CIS_OWNER_EMAILS: list,
  /** How long a process may remember who a token or session belongs to and their roles (0: not at all). */
  CIS_AUTH_CACHE_SECONDS: z.coerce.number().min(0).max(300).default(5),
  /** Proxies in front of the platform that each append to X-Forwarded-For (CloudFront before API Gateway: 1). */
  CIS_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** The value CloudFront's origin header carries; set, requests without it are refused (server/middleware/00.origin-verify.ts). */
  CIS_ORIGIN_VERIFY: z.string().min(16).optional(),
  /** Invitations one organizer may queue in a UTC day, whatever way they go out (a bulk sender may have their own). */
  CIS_DAILY_INVITE_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /** People one event may have (attendees of every source); invitations beyond it are refused by row. */
  CIS_EVENT_ATTENDEE_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** A folder of mail template files (server/templates/mail.ts) that replace the shipped ones, read at start. */
  CIS_TEMPLATES_DIR: z.string().optional(),
  /** The largest invitation list (a CSV file) read, in bytes; a larger one is refused with a sentence. */
  CIS_LIST_MAX_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  /** How log lines are written: `json` (one object a line, what CloudWatch Logs Insights reads) or `text` (one readable line). */
  CIS_LOG_FORMAT: z.enum(['json', 'text']).default('json'),
  /** Or a key prefix in the mail bucket holding such files, read at start. */
  CIS_TEMPLATES_S3_PREFIX: z
    .string()
    .regex(/^(?:|[^/].*\/)$/, 'must be a key prefix ending with / (such as templates/)')
    .optional(),
})

// Only ever signs links on a developer's machine; a deployment must set CIS_SECRET.
const LOCAL_SECRET = 'local-development-secret-not-for-deployment'
const missingSecret = (): never => {
  throw new Error('Configuration error: CIS_SECRET is required (a random string of 32 or more characters).')
}

export type AppConfig = ReturnType<typeof readConfig>

/** Reads and validates the configuration; throws one readable sentence on bad input. */
export function readConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = EnvSchema.safeParse(env)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new Error(`Configuration error: ${String(issue.path[0])} ${issue.message.toLowerCase()}.`)
  }
  const e = parsed.data
  const stack = e.CIS_STACK ?? (e.AWS_LAMBDA_FUNCTION_NAME ? 'aws' : 'local')
  // The local stack's fixed ports, unless moved with CIS_PORT_<SERVICE> (as `npm run dev` does).
  const local = (service: keyof typeof LOCAL_PORTS) =>
    stack === 'local' ? `http://127.0.0.1:${Number(env[`CIS_PORT_${service.toUpperCase()}`] ?? LOCAL_PORTS[service])}` : undefined
  const domain = e.CIS_MAIL_DOMAIN.toLowerCase()
  const mailboxes = {
    create: `create@${domain}`,
    rsvp: `rsvp@${domain}`,
    bulk: `bulk@${domain}`,
  }
  const templatesDir = e.CIS_TEMPLATES_DIR || null
  const templatesS3Prefix = e.CIS_TEMPLATES_S3_PREFIX || null
  if (templatesDir && templatesS3Prefix) throw new Error('Configuration error: set CIS_TEMPLATES_DIR or CIS_TEMPLATES_S3_PREFIX, not both.')
  // Received mail is stored under its mailbox's prefix: anyone who mails the server adds objects there.
  const mailPrefix = Object.keys(mailboxes).find((mailbox) => templatesS3Prefix?.startsWith(`${mailbox}/`))
  if (mailPrefix) throw new Error(`Configuration error: CIS_TEMPLATES_S3_PREFIX must not be under ${mailPrefix}/, where received mail is stored.`)
  return {
    stack,
    region: e.CIS_REGION ?? e.AWS_REGION ?? 'us-east-1',
    endpoints: {
      dynamodb: e.CIS_DYNAMODB_ENDPOINT ?? local('dynamodb'),
      s3: e.CIS_S3_ENDPOINT ?? local('s3'),
      sqs: e.CIS_SQS_ENDPOINT ?? local('sqs'),
      ses: e.CIS_SES_ENDPOINT ?? local('ses'),
    },
    tableName: e.CIS_TABLE,
    mailBucket: e.CIS_MAIL_BUCKET,
    /** Queue names or full queue URLs. */
    queues: { inbound: e.CIS_INBOUND_QUEUE, inboundDeadLetter: e.CIS_INBOUND_DLQ, send: e.CIS_SEND_QUEUE, sesEvents: e.CIS_SES_EVENTS_QUEUE },
    sendRate: e.CIS_SEND_RATE,
    sendMaxAttempts: e.CIS_SEND_MAX_ATTEMPTS,
    sesConfigurationSet: e.CIS_SES_CONFIGURATION_SET ?? null,
    secret: e.CIS_SECRET ?? (stack === 'local' ? LOCAL_SECRET : missingSecret()),
    mailDomain: domain,
    mailboxes,
    fromAddress: e.CIS_FROM_ADDRESS ?? `Calendar Invite Server <noreply@${domain}>`,
    siteUrl: (e.CIS_SITE_URL ?? `http://localhost:${Number(env.CIS_PORT_APP ?? LOCAL_PORTS.app)}`).replace(/\/$/, ''),
    /** Empty means any domain may create events (when its mail is verified). */
    allowedOrganizerDomains: e.CIS_ALLOWED_ORGANIZER_DOMAINS,
    requireVerifiedSender: e.CIS_REQUIRE_VERIFIED_SENDER,
    notifyOrganizer: e.CIS_NOTIFY_ORGANIZER,
    ownerEmails: e.CIS_OWNER_EMAILS,
    authCacheSeconds: e.CIS_AUTH_CACHE_SECONDS,
    /** How many X-Forwarded-For hops, counted from the right, proxies the platform trusts appended. */
    trustedProxies: e.CIS_TRUSTED_PROXIES,
    /** What `x-cis-origin-verify` must say on every request (unset: not checked). */
    originVerify: e.CIS_ORIGIN_VERIFY,
    dailyInviteLimit: e.CIS_DAILY_INVITE_LIMIT,
    eventAttendeeLimit: e.CIS_EVENT_ATTENDEE_LIMIT,
    /** Where the deployer's mail templates are, if anywhere: a folder, or a key prefix in the mail bucket. */
    templatesDir,
    templatesS3Prefix,
    /** The largest invitation list read, in bytes (50 MB by default). */
    listMaxBytes: e.CIS_LIST_MAX_BYTES,
  }
}

let cached: AppConfig | undefined
/** The process-wide configuration, read once. */
export function config(): AppConfig {
  cached ??= readConfig()
  return cached
}
/**
 * The log format alone, read without the rest of the configuration so that a line can be
 * written whatever else the environment gets wrong: a value config() would refuse counts as `json`.
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env): 'json' | 'text' {
  const parsed = EnvSchema.shape.CIS_LOG_FORMAT.safeParse(env.CIS_LOG_FORMAT)
  return parsed.success ? parsed.data : 'json'
}

/** Forget the cached configuration (tests and the local stack change the environment). */
export function resetConfig() {
  cached = undefined
}
