/** Shapes of the public pages' API: what anyone may read about an event by its public id. */
import { z } from 'zod'
import { eventTime } from './api'
import { EVENT_STATUSES } from '../vocabulary'

/** A public id as the server makes them (16 URL-safe characters), for events and organizers. */
export const publicIdText = (message: string) => z.string().regex(/^[A-Za-z0-9_-]{16}$/, message)

export const PublicIdParamsSchema = z.object({ publicId: publicIdText('That is not an event address.') })


/** An event as its public page shows it: nothing about its attendees, nor the organizer's address. */
export const PublicEventSchema = z
  .object({
    publicId: z.string(),
    /** The absolute address of the event's page. */
    pageUrl: z.string(),
    summary: z.string(),
    description: z.string().nullable(),
    location: z.string().nullable(),
    url: z.string().nullable(),
    start: eventTime(),
    end: eventTime().nullable(),
    allDay: z.boolean(),
    /** The organizer's time zone (IANA), when the invitation named one. */
    timezone: z.string().nullable(),
    rrule: z.string().nullable(),
    status: z.enum(EVENT_STATUSES),
    /** Listed on the public pages; an unlisted event is reachable by its address only (and not indexed). */
    listed: z.boolean(),
    organizerName: z.string().nullable(),
    /** The organizer's public page: their listed events. */
    organizerPageUrl: z.string().nullable(),
    /** The public page of the organizer's email domain: its listed events. */
    domainPageUrl: z.string(),
  })
  .meta({ id: 'PublicEvent' })
export type PublicEvent = z.infer<typeof PublicEventSchema>
