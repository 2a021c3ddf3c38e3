/**
 * Reads the verdicts SES writes into a received message (Authentication-Results,
 * Received-SPF, X-SES-Spam-Verdict, X-SES-Virus-Verdict) and decides whether the sender
 * address can be trusted. SES prepends its headers, so only the topmost of each counts:
 * a sender can put any header lower down in the message they send.
 */
import { domainOf } from './address'

export type Verdict = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'gray' | 'processing_failed'

export interface ReceiptVerdicts {
  spf: Verdict
  /** Domain of the envelope sender SPF checked. */
  spfDomain: string | null
  /** Domains whose DKIM signature passed. */
  dkimPassDomains: string[]
  dmarc: Verdict
  dmarcDomain: string | null
  spam: Verdict
  virus: Verdict
}

export interface Header {
  key: string
  value: string
}

const first = (headers: Header[], name: string) => headers.find((h) => h.key.toLowerCase() === name)?.value

const verdictOf = (value: string | undefined): Verdict => {
  const word = value?.trim().split(/[\s;(]/)[0]?.toLowerCase()
  const known: Verdict[] = ['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'gray', 'processing_failed']
  return known.includes(word as Verdict) ? (word as Verdict) : 'none'
}


export function readReceiptVerdicts(headers: Header[]): ReceiptVerdicts {
  const results = (first(headers, 'authentication-results') ?? '').replace(/\s+/g, ' ')
  // Drop the authserv-id ("amazonses.com;") and split into "method=result props" clauses.
  const clauses = results
    .split(';')
    .map((clause) => clause.trim())
    .filter((clause) => /^[a-z]+=/i.test(clause))
  const clause = (method: string) => clauses.filter((c) => c.toLowerCase().startsWith(`${method}=`))
  const prop = (text: string, name: string) => new RegExp(`${name}=([^\\s;]+)`, 'i').exec(text)?.[1]

  const spfClause = clause('spf')[0]
  const receivedSpf = first(headers, 'received-spf')
  const spf = spfClause ? verdictOf(spfClause.slice(4)) : verdictOf(receivedSpf)
  // SES writes envelope-from in both headers; a later clause holds smtp.mailfrom in some receivers.
  const envelopeFrom =
    (spfClause && (prop(spfClause, 'smtp\\.mailfrom') ?? prop(results, 'envelope-from'))) ?? (receivedSpf ? prop(receivedSpf, 'envelope-from') : undefined)

  const dkimPassDomains = clause('dkim')
    .filter((c) => verdictOf(c.slice(5)) === 'pass')
    .map((c) => prop(c, 'header\\.d') ?? prop(c, 'header\\.i'))
    .filter((d): d is string => Boolean(d))
    .map((d) => (d.includes('@') ? domainOf(d) : d.toLowerCase()))

  const dmarcClause = clause('dmarc')[0]
  return {
    spf,
    spfDomain: envelopeFrom ? (envelopeFrom.includes('@') ? domainOf(envelopeFrom) : envelopeFrom.toLowerCase()) : null,
    dkimPassDomains,
    dmarc: dmarcClause ? verdictOf(dmarcClause.slice(6)) : 'none',
    dmarcDomain: dmarcClause ? (prop(dmarcClause, 'header\\.from')?.toLowerCase() ?? null) : null,
    spam: verdictOf(first(headers, 'x-ses-spam-verdict')),
    virus: verdictOf(first(headers, 'x-ses-virus-verdict')),
  }
}

/** `a` is `b` or a subdomain of it (relaxed alignment, as DMARC allows). */
const aligned = (a: string, b: string) => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`)

/**
 * Whether the receipt shows SPF or DKIM passed for the domain of `sender` (the From
 * address). A virus verdict other than pass never counts as verified.
 */
export function isSenderVerified(verdicts: ReceiptVerdicts, sender: string): boolean {
  const domain = domainOf(sender)
  if (!domain || verdicts.virus === 'fail') return false
  if (verdicts.spf === 'pass' && verdicts.spfDomain && aligned(verdicts.spfDomain, domain)) return true
  return verdicts.dkimPassDomains.some((d) => aligned(d, domain))
}

