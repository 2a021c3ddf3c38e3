/** Request and response shapes of bulk sender management (who may mail CSV lists to bulk@). */
import { z } from 'zod'
import { mailAddress } from '../mail-address'
import { instant } from './api'

/** The highest daily invitation limit a bulk sender may be given. */
export const MAX_DAILY_LIMIT = 1_000_000
const LIMIT_SENTENCE = 'The daily limit is a whole number from 1 to 1,000,000.'

/** A bulk sender's own daily invitation limit: a positive whole number, at most MAX_DAILY_LIMIT. */
export const dailyLimit = () => z.number({ error: LIMIT_SENTENCE }).int({ error: LIMIT_SENTENCE }).min(1, { error: LIMIT_SENTENCE }).max(MAX_DAILY_LIMIT, { error: LIMIT_SENTENCE })

export const BulkSenderParamsSchema = z.object({ email: mailAddress().toLowerCase() })

/** Add a bulk sender or change their limit; null is the server's default limit. */
export const BulkSenderGrantSchema = z.object({
  dailyLimit: dailyLimit().nullable().meta({ description: 'Invitations a day from this sender’s lists; null for the server’s default.' }),
})
export type BulkSenderGrant = z.infer<typeof BulkSenderGrantSchema>

/** A person whose CSV lists the bulk mailbox accepts. */
export const BulkSenderViewSchema = z
  .object({
    email: z.string(),
    /** Null: the server's default. */
    dailyLimit: z.number().int().nullable(),
    /** Who added them (a system owner's address, or `cli`). */
    addedBy: z.string(),
    addedAt: instant(),
  })
  .meta({ id: 'BulkSender' })
export type BulkSenderView = z.infer<typeof BulkSenderViewSchema>

export const BulkSenderListSchema = z.object({ bulkSenders: z.array(BulkSenderViewSchema) })
