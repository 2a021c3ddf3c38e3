/**
 * Owners: system owners see everything, domain owners every organizer and event of their
 * email domains. CIS_OWNER_EMAILS names the first system owners (they cannot be removed in
 * the UI, so nobody locks everyone out); system owners name further owners in the UI.
 */
import { EntityRepository, QueryCommand } from 'dynamodb-toolbox'
import { OwnerEntity, keys, table } from '../aws/table'
import { config } from '../config'
import type { OwnerView } from '../../shared/schemas/owners'
import { shortLived } from './short-lived'

const owners = OwnerEntity.build(EntityRepository)

export interface Roles {
  systemOwner: boolean
  domains: string[]
  /** From configuration: not removable in the UI. */
  configured: boolean
}

// Read on every API request; remembered briefly (short-lived.ts), forgotten here on change.
const recentRoles = shortLived<Roles>()

export async function rolesOf(email: string): Promise<Roles> {
  const address = email.toLowerCase()
  const remembered = recentRoles.get(address)
  if (remembered) return remembered
  const configured = config().ownerEmails.includes(address)
  const { Item } = await owners.get({ email: address })
  const roles = { systemOwner: configured || (Item?.systemOwner ?? false), domains: Item?.domains ?? [], configured }
  recentRoles.set(address, roles)
  return roles
}

export async function listOwners(): Promise<OwnerView[]> {
  const { Items } = await table.build(QueryCommand).entities(OwnerEntity).query({ index: 'gsi1', partition: keys.owners }).send()
  const stored = new Map((Items ?? []).map((item) => [item.email, { email: item.email, systemOwner: item.systemOwner, domains: item.domains, configured: false }]))
  for (const email of config().ownerEmails) {
    stored.set(email, { email, systemOwner: true, domains: stored.get(email)?.domains ?? [], configured: true })
  }
  return [...stored.values()].sort((a, b) => a.email.localeCompare(b.email))
}

/** Grants (or changes) a person's owner rights; an empty grant removes them. */
export async function setOwner(email: string, grant: { systemOwner: boolean; domains: string[] }, grantedBy: string): Promise<void> {
  const address = email.toLowerCase()
  const domains = [...new Set(grant.domains.map((d) => d.trim().toLowerCase()).filter(Boolean))].sort()
  if (!grant.systemOwner && domains.length === 0) {
    await owners.delete({ email: address })
  } else {
    await owners.put({ email: address, systemOwner: grant.systemOwner, domains, grantedBy: grantedBy.toLowerCase() })
  }
  recentRoles.forget(address)
}
