/**
 * Per-organizer API tokens for automations (scripts, an AI agent inviting people by event
 * UID and address). Only a SHA-256 of each token is stored; the token itself is shown once.
 */
import { createHash, randomBytes } from 'node:crypto'
import { EntityRepository, QueryCommand } from 'dynamodb-toolbox'
import { ApiTokenEntity, keys, table } from '../aws/table'
import { shortLived } from './short-lived'
import type { ApiTokenView } from '../../shared/schemas/tokens'

const tokens = ApiTokenEntity.build(EntityRepository)

const PREFIX = 'cis_'
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex')


/** A new token for `email`; the returned `token` is the only copy. */
export async function createApiToken(email: string, label = ''): Promise<ApiTokenView & { token: string }> {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`
  const id = randomBytes(6).toString('hex')
  const createdAt = new Date().toISOString()
  await tokens.put({ tokenHash: hashOf(token), id, email, label: label.slice(0, 100), createdAt }, { condition: { attr: 'tokenHash', exists: false } })
  return { id, label, createdAt, lastUsedAt: null, token }
}

// Valid tokens only (a stream of made-up tokens must not fill it), by hash; forgotten on revoke.
const recentTokens = shortLived<{ email: string; lastUsedAt: string | undefined }>()

/** The organizer a presented token belongs to, or null. */
export async function organizerOfToken(token: string): Promise<string | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null
  const tokenHash = hashOf(token)
  let known = recentTokens.get(tokenHash)
  if (!known) {
    const { Item } = await tokens.get({ tokenHash })
    if (!Item) return null
    known = { email: Item.email, lastUsedAt: Item.lastUsedAt }
  }
  // At most one write a minute per token: "last used" is for people, not an audit log.
  const now = new Date()
  if (!known.lastUsedAt || now.getTime() - Date.parse(known.lastUsedAt) > 60_000) {
    known = { ...known, lastUsedAt: now.toISOString() }
    await tokens.update({ tokenHash, lastUsedAt: known.lastUsedAt }).catch(() => undefined)
  }
  recentTokens.set(tokenHash, known)
  return known.email
}

async function itemsOf(email: string) {
  const { Items } = await table
    .build(QueryCommand)
    .entities(ApiTokenEntity)
    .query({ index: 'gsi1', partition: keys.organizerTokens(email) })
    .send()
  return Items ?? []
}

export async function listApiTokens(email: string): Promise<ApiTokenView[]> {
  return (await itemsOf(email)).map((item) => ({ id: item.id, label: item.label, createdAt: item.createdAt, lastUsedAt: item.lastUsedAt ?? null }))
}

/** Revokes one of `email`'s tokens by its id; false when they have no such token. */
export async function revokeApiToken(email: string, id: string): Promise<boolean> {
  const item = (await itemsOf(email)).find((candidate) => candidate.id === id)
  if (!item) return false
  await tokens.delete({ tokenHash: item.tokenHash })
  recentTokens.forget(item.tokenHash)
  return true
}
