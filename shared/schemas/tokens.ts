/** Request shapes of API token management (the dashboard's "API tokens" section). */
import { z } from 'zod'

export const TokenCreateSchema = z.object({ label: z.string().trim().max(100, 'The label is too long (100 characters at most).').default('') })
export const TokenParamsSchema = z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, 'That is not a token id.') })
