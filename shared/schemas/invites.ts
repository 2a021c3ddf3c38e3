/** Request shapes of the invite API, shared by the routes and the dashboard's forms. */
import { z } from 'zod'
import { mailAddress } from '../mail-address'

/**
 * How an address came to be invited; the same words in the table, the API and reports.
 * The server decides it from the route and the caller, never from a request body: `api`
 * (an API token), `dashboard` (the signed-in invite form), `vip` (a list upload), `bulk`
 * (mail to the bulk mailbox), `landing-page` and `embed` (the public pages).
 */
export const INVITE_ORIGINS = ['api', 'dashboard', 'vip', 'bulk', 'landing-page', 'embed'] as const
export type InviteOrigin = (typeof INVITE_ORIGINS)[number]

export const EventParamsSchema = z.object({
  uid: z.string().min(1, 'The event UID is missing.').max(1000, 'The event UID is too long.'),
})

export const InviteBodySchema = z.object({
  email: mailAddress(),
  name: z.string().max(200, 'The name is too long (200 characters at most).').optional(),
})
export type InviteBody = z.infer<typeof InviteBodySchema>

export const InvitationListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(2000).optional(),
})
