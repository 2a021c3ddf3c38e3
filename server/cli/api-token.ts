/**
 * `cis token create|list|revoke`: API tokens for an organizer's automations, until the
 * dashboard manages them. Talks to the configured backend (the local stack by default).
 */
import { isMailAddress } from '../domain/mail/address'
import { createApiToken, listApiTokens, revokeApiToken } from '../services/api-tokens'

function organizer(email: string | undefined): string {
  if (!email || !isMailAddress(email)) throw new Error(`"${email ?? ''}" is not an email address; give the organizer's address.`)
  return email.toLowerCase()
}

export async function tokenCommand(action: string | undefined, args: string[], label: string | undefined): Promise<string> {
  switch (action) {
    case 'create': {
      const created = await createApiToken(organizer(args[0]), label ?? '')
      return [
        `API token ${created.id} for ${organizer(args[0])} (shown once; keep it secret):`,
        created.token,
        `Use it as: Authorization: Bearer ${created.token}`,
      ].join('\n')
    }
    case 'list': {
      const tokens = await listApiTokens(organizer(args[0]))
      if (!tokens.length) return `${organizer(args[0])} has no API tokens.`
      return tokens.map((t) => `${t.id}  created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}  ${t.label}`).join('\n')
    }
    case 'revoke': {
      if (!args[1]) throw new Error('cis token revoke needs the organizer and the token id.')
      const revoked = await revokeApiToken(organizer(args[0]), args[1])
      if (!revoked) throw new Error(`${organizer(args[0])} has no token ${args[1]}.`)
      return `Revoked token ${args[1]}.`
    }
    default:
      throw new Error('cis token takes create, list or revoke.')
  }
}
