/** Request shapes of the owner views and owner management. */
import { z } from 'zod'
import { mailAddress } from '../mail-address'

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'Give a domain such as example.com.')

export const DomainParamsSchema = z.object({ domain: domainName })

export const OwnerParamsSchema = z.object({ email: mailAddress().toLowerCase() })

export const OwnerGrantSchema = z.object({
  systemOwner: z.boolean().default(false),
  domains: z.array(domainName).max(100, 'At most 100 domains.').default([]),
})
export type OwnerGrant = z.infer<typeof OwnerGrantSchema>
