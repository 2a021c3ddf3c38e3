/**
 * Shapes of "Send me the invite" (double opt-in) and of the web answers an invitation links
 * to: what the public form sends, what the confirmation and answer pages read and post.
 */
import { z } from 'zod'
import { mailAddress } from '../mail-address'
import { EVENT_STATUSES, PARTSTAT_VALUES } from '../vocabulary'
import { PublicEventSchema } from './public'
import type { InviteOrigin } from './invites'

/** Where the public form was: the event's own page, or a page embedding it. */
export const INVITE_REQUEST_ORIGINS = ['landing-page', 'embed'] as const satisfies readonly InviteOrigin[]
export type InviteRequestOrigin = (typeof INVITE_REQUEST_ORIGINS)[number]

export const InviteRequestBodySchema = z.object({
  email: mailAddress(),
  origin: z.enum(INVITE_REQUEST_ORIGINS, { error: 'The origin is "landing-page" or "embed".' }).default('landing-page'),
})
export type InviteRequestBody = z.input<typeof InviteRequestBodySchema>

/** A signed link's token, as mailed (the link's last path segment). */
export const LinkTokenParamsSchema = z.object({
  token: z.string().min(1, 'The link is incomplete.').max(2000, 'The link is too long.'),
})

/** What a confirmation link is for: the event and the address it sends the invitation to. */
export const InviteRequestLinkSchema = z
  .object({
    email: z.string(),
    event: PublicEventSchema,
  })
  .meta({ id: 'InviteRequestLink' })
export type InviteRequestLink = z.infer<typeof InviteRequestLinkSchema>

/** The answers a web answer link can give (the invitation's Yes, Maybe and No). */
export const WEB_ANSWERS = ['ACCEPTED', 'TENTATIVE', 'DECLINED'] as const satisfies readonly (typeof PARTSTAT_VALUES)[number][]
export type WebAnswer = (typeof WEB_ANSWERS)[number]

export const WebAnswerQuerySchema = z.object({
  answer: z.enum(WEB_ANSWERS, { error: 'The answer is ACCEPTED, TENTATIVE or DECLINED.' }),
})

/** What a web answer link shows: the event, for whom, and their answer as recorded now. */
export const WebAnswerLinkSchema = z
  .object({
    email: z.string(),
    summary: z.string(),
    /** When, in the event's time zone, in words (as the invitation says it). */
    when: z.string(),
    location: z.string().nullable(),
    organizerName: z.string(),
    status: z.enum(EVENT_STATUSES),
    /** The attendee's answer for the event as a whole, as the server has it. */
    answer: z.enum(PARTSTAT_VALUES),
  })
  .meta({ id: 'WebAnswerLink' })
export type WebAnswerLink = z.infer<typeof WebAnswerLinkSchema>

export const WebAnswerRecordedSchema = z.object({
  answer: z.enum(WEB_ANSWERS),
  message: z.string(),
})
