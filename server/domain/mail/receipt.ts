/**
 * Whether a received message's sender can be trusted, from the verdicts SES publishes as
 * data: the receipt notification of the receipt rule's S3 action (`receipt.spfVerdict`,
 * `dkimVerdict`, `dmarcVerdict`, `spamVerdict`, `virusVerdict`, `mail.source`, the object
 * key), which reaches the inbound queue through SNS. Nothing in the message itself counts:
 * the headers SES writes into the stored copy (Authentication-Results, Received-SPF) carry
 * text the sending client chose (its HELO name, its envelope sender), and a client that
 * writes `HELO x;dkim=pass(header.d=victim.example` must not be able to pass for anyone.
 *
 * A sender is verified when DMARC passed (SES evaluates it for the From domain), or when
 * SPF passed for an envelope sender whose organizational domain (by the Public Suffix
 * List, through tldts: `a.github.io` and `b.github.io` are different organizations) is the
 * From address's. A virus verdict other than PASS never verifies.
 */
import { getDomain } from 'tldts'
import { z } from 'zod'
import { addressesInHeader, domainOf } from './address'

/** The statuses SES gives each verdict. */
export const VERDICT_STATUSES = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED'] as const
export type VerdictStatus = (typeof VERDICT_STATUSES)[number]

export interface ReceiptVerdicts {
  spf: VerdictStatus
  dkim: VerdictStatus
  dmarc: VerdictStatus
  spam: VerdictStatus
  virus: VerdictStatus
}

/** What the receipt notification says about one received message. */
export interface SesReceipt {
  /** SES's message id (also the last part of the object key). */
  messageId: string
  /** The envelope sender (MAIL FROM) SES received the message from; empty for bounces. */
  source: string
  /** The From addresses as SES read them from the message. */
  from: string[]
  receivedAt: string
  verdicts: ReceiptVerdicts
  bucket: string
  objectKey: string
}

const status = z
  .object({ status: z.string() })
  .transform(({ status }) => ((VERDICT_STATUSES as readonly string[]).includes(status.toUpperCase()) ? (status.toUpperCase() as VerdictStatus) : 'GRAY'))

/** The receipt notification SES publishes for an S3 action (the fields read here). */
const receiptNotification = z.object({
  notificationType: z.literal('Received'),
  mail: z.object({
    timestamp: z.string(),
    source: z.string(),
    messageId: z.string(),
    commonHeaders: z.object({ from: z.array(z.string()).optional() }).optional(),
  }),
  receipt: z.object({
    spamVerdict: status,
    virusVerdict: status,
    spfVerdict: status,
    dkimVerdict: status,
    dmarcVerdict: status,
    action: z.object({ type: z.literal('S3'), bucketName: z.string(), objectKey: z.string() }),
  }),
})

/** SNS wraps what it delivers to SQS unless raw message delivery is on. */
const snsEnvelope = z.object({ Type: z.literal('Notification'), Message: z.string() })

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * The receipt in an SQS message body (SNS-wrapped or raw), or null when the body is not an
 * SES receipt notification for an S3 action.
 */
export function sesReceiptOf(body: string): SesReceipt | null {
  let value = parseJson(body)
  const wrapped = snsEnvelope.safeParse(value)
  if (wrapped.success) value = parseJson(wrapped.data.Message)
  const parsed = receiptNotification.safeParse(value)
  if (!parsed.success) return null
  const { mail, receipt } = parsed.data
  return {
    messageId: mail.messageId,
    source: mail.source,
    from: mail.commonHeaders?.from ?? [],
    receivedAt: mail.timestamp,
    verdicts: { spf: receipt.spfVerdict, dkim: receipt.dkimVerdict, dmarc: receipt.dmarcVerdict, spam: receipt.spamVerdict, virus: receipt.virusVerdict },
    bucket: receipt.action.bucketName,
    objectKey: receipt.action.objectKey,
  }
}

/** The registrable domain of an address or domain (Public Suffix List, private suffixes included). */
export function organizationalDomain(addressOrDomain: string): string | null {
  const domain = addressOrDomain.includes('@') ? domainOf(addressOrDomain) : addressOrDomain.toLowerCase()
  return domain ? getDomain(domain, { allowPrivateDomains: true }) : null
}

/**
 * Whether the receipt verifies `from` (the From address the message was read with). The
 * From SES evaluated must be that one address, so a message with a second From header
 * cannot borrow another domain's DMARC pass.
 */
export function isSenderVerified(receipt: Pick<SesReceipt, 'verdicts' | 'source' | 'from'> | null, from: string): boolean {
  if (!receipt || receipt.verdicts.virus !== 'PASS') return false
  const sender = from.toLowerCase()
  // One From value naming one mailbox: that mailbox's address is the sender's.
  const named = receipt.from.length === 1 ? addressesInHeader(receipt.from[0]) : []
  if (!sender || named.length !== 1 || named[0] !== sender) return false
  if (receipt.verdicts.dmarc === 'PASS') return true
  const fromOrganization = organizationalDomain(sender)
  return receipt.verdicts.spf === 'PASS' && fromOrganization !== null && organizationalDomain(receipt.source) === fromOrganization
}
