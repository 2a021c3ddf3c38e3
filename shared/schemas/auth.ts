/** Request and response shapes of signing in, signing out and unsubscribing. */
import { z } from 'zod'
import { mailAddress } from '../mail-address'

export const SignInBodySchema = z.object({ email: mailAddress() })
export type SignInBody = z.infer<typeof SignInBodySchema>

/** The signed-in caller and what they oversee. */
export const CallerSchema = z
  .object({
    email: z.string(),
    systemOwner: z.boolean(),
    ownedDomains: z.array(z.string()),
  })
  .meta({ id: 'Caller' })
export type CallerView = z.infer<typeof CallerSchema>

export const SignedOutSchema = z.object({ signedOut: z.literal(true) })

export const UnsubscribeParamsSchema = z.object({ token: z.string() })
export const UnsubscribeLinkSchema = z.object({ email: z.string().meta({ description: 'The address the link unsubscribes.' }) })
export const UnsubscribedSchema = z.object({ unsubscribed: z.literal(true), message: z.string() })
