/** Request and response shapes of API token management (the dashboard's "API tokens" section). */
import { z } from 'zod'
import { instant } from './api'

export const TokenCreateSchema = z.object({ label: z.string().trim().max(100, 'The label is too long (100 characters at most).').default('') })
export const TokenParamsSchema = z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, 'That is not a token id.') })

/** A token as listed: never the token itself. */
export const ApiTokenViewSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    createdAt: instant(),
    lastUsedAt: instant().nullable(),
  })
  .meta({ id: 'ApiToken' })
export type ApiTokenView = z.infer<typeof ApiTokenViewSchema>

export const ApiTokenListSchema = z.object({ tokens: z.array(ApiTokenViewSchema) })
/** A new token: the only answer that carries it. */
export const CreatedApiTokenSchema = ApiTokenViewSchema.extend({ token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`; shown once.' }) })
export const RevokedApiTokenSchema = z.object({ revoked: z.string() })
