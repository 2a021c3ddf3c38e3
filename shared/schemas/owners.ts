/** Request and response shapes of the owner views and owner management. */
import { z } from 'zod'
import { mailAddress } from '../mail-address'

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, 'Give a domain such as example.com.')
  // A host name: labels of letters, digits and inner hyphens, joined by dots.
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/, 'Give a domain such as example.com.')

export const DomainParamsSchema = z.object({ domain: domainName })

export const OwnerParamsSchema = z.object({ email: mailAddress().toLowerCase() })

export const OwnerGrantSchema = z.object({
  systemOwner: z.boolean().default(false),
  domains: z.array(domainName).max(100, 'At most 100 domains.').default([]),
})
export type OwnerGrant = z.infer<typeof OwnerGrantSchema>

export const DomainSummarySchema = z
  .object({
    domain: z.string(),
    organizers: z.number().int(),
    events: z.number().int(),
    invitesSent: z.number().int(),
    accepted: z.number().int(),
    declined: z.number().int(),
    tentative: z.number().int(),
    /** Invited or named, no answer yet. */
    noAnswer: z.number().int(),
  })
  .meta({ id: 'DomainSummary' })
export type DomainSummary = z.infer<typeof DomainSummarySchema>

export const OrganizerRowSchema = z
  .object({
    email: z.string(),
    name: z.string().nullable(),
    domain: z.string(),
    events: z.number().int(),
    replies: z.number().int(),
  })
  .meta({ id: 'Organizer' })
export type OrganizerRow = z.infer<typeof OrganizerRowSchema>

export const DomainListSchema = z.object({ domains: z.array(DomainSummarySchema) })
export const DomainDetailSchema = DomainSummarySchema.extend({ organizerList: z.array(OrganizerRowSchema) }).meta({ id: 'DomainDetail' })
export type DomainDetail = z.infer<typeof DomainDetailSchema>

/** A person's owner rights. */
export const OwnerViewSchema = z
  .object({
    email: z.string(),
    systemOwner: z.boolean(),
    domains: z.array(z.string()),
    /** A system owner by configuration (CIS_OWNER_EMAILS): not removable here. */
    configured: z.boolean(),
  })
  .meta({ id: 'Owner' })
export type OwnerView = z.infer<typeof OwnerViewSchema>

export const OwnerListSchema = z.object({ owners: z.array(OwnerViewSchema) })
