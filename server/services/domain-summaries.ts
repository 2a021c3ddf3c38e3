/**
 * What owners see: per email domain, its organizers, events, invitations sent and how
 * people answered; then one domain's organizers. Totals are summed from each event's
 * counters on read (one query per domain), which is right for hundreds of events per
 * domain; a domain with far more would want running totals.
 */
import { QueryCommand } from 'dynamodb-toolbox'
import { EventEntity, OrganizerEntity, keys, keysStartingWith, table } from '../aws/table'
import type { DomainDetail, DomainSummary, OrganizerRow } from '../../shared/schemas/owners'

const organizerRow = (item: { email: string; name?: string; domain: string; eventCount?: number; replyCount?: number }): OrganizerRow => ({
  email: item.email,
  name: item.name ?? null,
  domain: item.domain,
  events: item.eventCount ?? 0,
  replies: item.replyCount ?? 0,
})

/** Every organizer the server knows, by domain. */
async function organizersByDomain(): Promise<Map<string, OrganizerRow[]>> {
  const { Items: items = [] } = await table
    .build(QueryCommand)
    .entities(OrganizerEntity)
    .query({ index: 'gsi3', partition: keys.organizers })
    .options({ maxPages: Infinity })
    .send()
  const byDomain = new Map<string, OrganizerRow[]>()
  for (const item of items) {
    const row = organizerRow(item)
    byDomain.set(row.domain, [...(byDomain.get(row.domain) ?? []), row])
  }
  return byDomain
}

async function summarize(domain: string, organizers: number): Promise<DomainSummary> {
  const { Items: events = [] } = await table
    .build(QueryCommand)
    .entities(EventEntity)
    .query({ index: 'gsi2', partition: keys.domain(domain), range: keysStartingWith(keys.domainEvent.prefix) })
    .options({ maxPages: Infinity, attributes: ['uid', 'counts', 'invitesSent'] })
    .send()
  const summary: DomainSummary = { domain, organizers, events: events.length, invitesSent: 0, accepted: 0, declined: 0, tentative: 0, noAnswer: 0 }
  for (const event of events) {
    summary.invitesSent += event.invitesSent ?? 0
    summary.accepted += event.counts?.accepted ?? 0
    summary.declined += event.counts?.declined ?? 0
    summary.tentative += event.counts?.tentative ?? 0
    summary.noAnswer += event.counts?.needsAction ?? 0
  }
  return summary
}

/** The domains this owner oversees (every domain for a system owner), summarised. */
export async function domainSummaries(owner: { systemOwner: boolean; ownedDomains: string[] }): Promise<DomainSummary[]> {
  const byDomain = await organizersByDomain()
  const domains = owner.systemOwner ? [...byDomain.keys()] : owner.ownedDomains
  const summaries = await Promise.all([...new Set(domains)].map((domain) => summarize(domain, byDomain.get(domain)?.length ?? 0)))
  return summaries.sort((a, b) => a.domain.localeCompare(b.domain))
}

/** One domain: its summary and its organizers. */
export async function domainDetail(domain: string): Promise<DomainDetail> {
  const { Items = [] } = await table
    .build(QueryCommand)
    .entities(OrganizerEntity)
    .query({ index: 'gsi2', partition: keys.domain(domain), range: keysStartingWith(keys.organizer.prefix) })
    .options({ maxPages: Infinity })
    .send()
  const organizerList = Items.map(organizerRow)
  return { ...(await summarize(domain, organizerList.length)), organizerList }
}
