/**
 * Shapes of "Send me the invite" (double opt-in) and of the web answers an invitation links
 * to: what the public form sends, what the confirmation and answer pages read and post.
 */
import { z } from 'zod'
import { INVALID_MAIL_ADDRESS, mailAddress } from '../mail-address'
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

/**
 * What "Send me the invite" answers: the API's sentence, and what the form shows after it was
 * sent without JavaScript, named by the `invite-request` query parameter of the page it
 * returns to (never the address). `accepted` is the one answer for every address.
 */
export const INVITE_REQUEST_NOTICES = {
  accepted: 'Thank you: if this address can receive it, a message is on its way (check your inbox, and your spam folder).',
  'client-limited': 'Too many requests from your network; please wait 15 minutes and try again.',
  'event-limited': 'This event is receiving too many requests right now; please try again in a few minutes.',
  invalid: INVALID_MAIL_ADDRESS,
  closed: 'Invitations are no longer sent for this event: it is cancelled or over.',
} as const
export type InviteRequestNotice = keyof typeof INVITE_REQUEST_NOTICES
export const INVITE_REQUEST_NOTICE_PARAM = 'invite-request'

/** The public form as a browser without JavaScript posts it; read leniently, since the answer is always the page. */
export const InviteRequestFormSchema = z.object({
  email: z.string().catch(''),
  origin: z.enum(INVITE_REQUEST_ORIGINS).catch('landing-page'),
})

/** What the confirmation page's button answers when the invitation is queued. */
export const invitationOnItsWay = (email: string) => `The invitation is on its way to ${email}.`

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
