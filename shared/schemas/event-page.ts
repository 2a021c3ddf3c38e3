/** Shapes of an event's public page beyond the public event itself: its next occurrences, and where its form is. */
import { z } from 'zod'
import { PublicEventSchema } from './public'
import { INVITE_ORIGINS } from './invites'

/** One occurrence: instants (ISO, UTC), or dates (`YYYY-MM-DD`, the end exclusive) for all-day events. */
export const OccurrenceSchema = z.object({ start: z.string(), end: z.string() }).meta({ id: 'Occurrence' })
export type Occurrence = z.infer<typeof OccurrenceSchema>

/** The event as its public page shows it, with what the page needs to place it in time. */
export const EventPageSchema = PublicEventSchema.extend({
  /** The event's next occurrences not cancelled (a single event: itself until it has ended), soonest first, at most five. */
  upcoming: z.array(OccurrenceSchema),
  /** It repeats (RRULE or RDATEs): the add-to-calendar web links add one occurrence, the `.ics` the whole series. */
  recurring: z.boolean(),
}).meta({ id: 'PublicEventPage' })
export type EventPage = z.infer<typeof EventPageSchema>

/** Where a "Send me the invite" form is: the event's page, or the button on another site. */
export const PublicFormOriginSchema = z.enum(INVITE_ORIGINS).extract(['landing-page', 'embed'])
export type PublicFormOrigin = z.infer<typeof PublicFormOriginSchema>
