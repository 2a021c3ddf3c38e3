/** Request shapes of the invite API, shared by the routes and the dashboard's forms. */
import { z } from 'zod'

/** How an address came to be invited; the same words in the table, the API and reports. */
export const INVITE_ORIGINS = ['api', 'vip', 'bulk', 'landing-page', 'embed'] as const
export type InviteOrigin = (typeof INVITE_ORIGINS)[number]

export const EventParamsSchema = z.object({
  uid: z.string().min(1, 'The event UID is missing.').max(1000, 'The event UID is too long.'),
})

export const InviteBodySchema = z.object({
  email: z.email('Give a valid email address.').max(254, 'The email address is too long.'),
  name: z.string().max(200, 'The name is too long (200 characters at most).').optional(),
  origin: z.enum(INVITE_ORIGINS).optional(),
})
export type InviteBody = z.infer<typeof InviteBodySchema>

export const InvitationListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(2000).optional(),
})
