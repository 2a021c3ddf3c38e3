/**
 * Shapes of the public listing pages' API: the site's upcoming listed events, an organizer's
 * and a domain's. An item names the event by its public id and page, never by its UID.
 */
import { z } from 'zod'
import { eventTime } from './api'
import { publicIdText } from './public'
export { DomainParamsSchema } from './owners'


/** The longest search the lists accept. */
export const LIST_SEARCH_MAX = 100
/** Events on one page of a list. */
export const LIST_PAGE_SIZE = 30

export const PublicListQuerySchema = z.object({
  /** Words the summary or the location contains (case-insensitive). */
  q: z.string().trim().max(LIST_SEARCH_MAX, `A search is at most ${LIST_SEARCH_MAX} characters.`).optional(),
  /** The page of the list, from 1. */
  page: z.coerce.number().int().min(1).max(1000).optional(),
})
export type PublicListQuery = z.infer<typeof PublicListQuerySchema>

export const OrganizerPublicIdParamsSchema = z.object({ id: publicIdText('That is not an organizer address.') })

/** A listed event on a list: its next occurrence when it repeats. */
export const PublicListItemSchema = z
  .object({
    publicId: z.string(),
    /** The absolute address of the event's page. */
    pageUrl: z.string(),
    summary: z.string(),
    /** The event's start, or its next occurrence's for a recurring event. */
    start: eventTime(),
    end: eventTime().nullable(),
    allDay: z.boolean(),
    /** The organizer's time zone (IANA), when the invitation named one. */
    timezone: z.string().nullable(),
    location: z.string().nullable(),
    organizerName: z.string().nullable(),
    /** How it repeats, in words (`every week on Tuesday`), or null for a single event. */
    repeats: z.string().nullable(),
  })
  .meta({ id: 'PublicListItem' })
export type PublicListItem = z.infer<typeof PublicListItemSchema>

const listFields = {
  /** Soonest first. */
  events: z.array(PublicListItemSchema),
  /** The page after this one, or null on the last. */
  nextPage: z.number().int().nullable(),
}

export const PublicListSchema = z.object(listFields).meta({ id: 'PublicList' })
export type PublicList = z.infer<typeof PublicListSchema>

/** A feed's addresses: `https` to download it, `webcal` for the "subscribe" link calendar apps open. */
export const FeedUrlsSchema = z.object({ https: z.string(), webcal: z.string() })
export type FeedUrls = z.infer<typeof FeedUrlsSchema>

export const OrganizerListSchema = z
  .object({
    organizer: z.object({
      name: z.string().nullable(),
      pageUrl: z.string(),
      domain: z.string(),
      domainPageUrl: z.string(),
    }),
    /** The organizer's calendar feed. */
    feed: FeedUrlsSchema,
    ...listFields,
  })
  .meta({ id: 'OrganizerPublicList' })
export type OrganizerList = z.infer<typeof OrganizerListSchema>

export const DomainListSchema = z
  .object({
    domain: z.string(),
    pageUrl: z.string(),
    /** The domain's calendar feed. */
    feed: FeedUrlsSchema,
    ...listFields,
  })
  .meta({ id: 'DomainPublicList' })
export type DomainList = z.infer<typeof DomainListSchema>
