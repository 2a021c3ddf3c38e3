/** Request and response shapes of signing in, signing out and unsubscribing. */
import { z } from 'zod'
import { mailAddress } from '../mail-address'

/** Where a person lands after signing in when they asked for no other page. */
export const DEFAULT_AFTER_SIGN_IN = '/dashboard'

/**
 * `value` when it is a path on this site, else null. It must start with a single `/` (`//host`
 * and `/\host` name another site) and hold only printable ASCII other than `\` (what a
 * router writes, non-ASCII percent-encoded): browsers drop tabs and newlines from a URL and
 * read `\` as `/`, so `/\t/evil.example` would open `//evil.example`, and a `Location`
 * header cannot carry other characters. Anything else after sign-in would be an open redirect.
 */
export function sameSitePath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null
  return /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(value) ? value : null
}

/** The page to open after signing in: `next` when it is a path on this site, else the dashboard. */
export const afterSignIn = (next: unknown): string => sameSitePath(next) ?? DEFAULT_AFTER_SIGN_IN

const nextField = z
  .string()
  .max(2000)
  .optional()
  .meta({ description: 'The page to open after signing in (a path on this site, such as `/dashboard/events/…`); any other value opens the dashboard.' })

export const SignInBodySchema = z.object({ email: mailAddress(), next: nextField })
export type SignInBody = z.infer<typeof SignInBodySchema>

/** What the sign-in form (a plain HTML form, no JavaScript needed) posts to `POST /sign-in`. */
export const SignInFormSchema = z.object({ email: z.string().max(1000).default(''), next: z.string().max(2000).optional() })

/** The sentences a sign-in request is answered with, by the name `/sign-in?notice=` carries after a form post. */
export const SIGN_IN_NOTICES = {
  sent: 'Check your inbox: we sent a sign-in link that works once, for 15 minutes.',
  limited: 'Too many sign-in requests; please wait 15 minutes and try again.',
  'hourly-limited': 'Too many sign-in links for this address this hour; please try again later.',
  invalid: 'Give a valid email address.',
} as const
export type SignInNotice = keyof typeof SIGN_IN_NOTICES
/** After a form post, the address the last link went to, for the page alone (path /sign-in, httpOnly, as long as the link works). */
export const SIGN_IN_SENT_TO_COOKIE = 'cis-sign-in-sent-to'
export const isSignInNotice = (value: unknown): value is SignInNotice => typeof value === 'string' && Object.hasOwn(SIGN_IN_NOTICES, value)

/** The signed-in caller, what they oversee, and what a first-time organizer needs to know. */
export const CallerSchema = z
  .object({
    email: z.string(),
    systemOwner: z.boolean(),
    ownedDomains: z.array(z.string()),
    createAddress: z.string().meta({ description: "The address an organizer invites to an event to bring it here (this server's create@ mailbox)." }),
    hasEvents: z.boolean().meta({ description: 'Whether the caller organizes any event here yet (cancelled and past ones count).' }),
    localStack: z.boolean().meta({ description: 'This server is the local development stack (`npm run dev`), where `npm run send-sample` mails a sample invitation.' }),
  })
  .meta({ id: 'Caller' })
export type CallerView = z.infer<typeof CallerSchema>

export const SignedOutSchema = z.object({ signedOut: z.literal(true) })

export const UnsubscribeParamsSchema = z.object({ token: z.string() })
export const UnsubscribeLinkSchema = z.object({ email: z.string().meta({ description: 'The address the link unsubscribes.' }) })
export const UnsubscribedSchema = z.object({ unsubscribed: z.literal(true), message: z.string() })
