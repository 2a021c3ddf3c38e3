/** Request and response shapes of the invite API, shared by the routes, the dashboard and the OpenAPI document. */
import { z } from 'zod'
import { mailAddress } from '../mail-address'
import { cursorField, instant } from './api'

/**
 * How an address came to be invited; the same words in the table, the API and reports.
 * The server decides it from the route and the caller, never from a request body: `api`
 * (an API token), `dashboard` (the signed-in invite form), `vip` (a list upload), `bulk`
 * (mail to the bulk mailbox), `landing-page` and `embed` (the public pages).
 */
export const INVITE_ORIGINS = ['api', 'dashboard', 'vip', 'bulk', 'landing-page', 'embed'] as const
export type InviteOrigin = (typeof INVITE_ORIGINS)[number]

/** Where an invitation is: waiting, sent, or why not. */
export const INVITE_STATUSES = ['queued', 'sent', 'failed', 'unknown', 'suppressed', 'unsubscribed'] as const
export type InviteStatus = (typeof INVITE_STATUSES)[number]

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

export const InvitationViewSchema = z
  .object({
    email: z.string(),
    name: z.string().nullable(),
    origin: z.enum(INVITE_ORIGINS),
    invitedAt: instant(),
    status: z.enum(INVITE_STATUSES),
    /** The event's invite sequence last sent to them. */
    sentSequence: z.number().int().nullable(),
    sentMethod: z.enum(['REQUEST', 'CANCEL']).nullable(),
    sentAt: instant().nullable(),
    /** Why the last send failed or was skipped, in a sentence. */
    error: z.string().nullable(),
  })
  .meta({ id: 'Invitation' })
export type InvitationView = z.infer<typeof InvitationViewSchema>

export const InvitationPageSchema = z.object({ invitations: z.array(InvitationViewSchema), cursor: cursorField })

export const INVITE_OUTCOMES = ['queued', 'already-invited', 'refused'] as const
export type InviteOutcome = (typeof INVITE_OUTCOMES)[number]

export const InviteResultSchema = z
  .object({
    outcome: z.enum(INVITE_OUTCOMES),
    /** A sentence for the person who asked. */
    reason: z.string(),
    invitation: InvitationViewSchema.optional(),
  })
  .meta({ id: 'InviteResult' })
export type InviteResult = z.infer<typeof InviteResultSchema>
