/** Upcoming listed events, for the public landing page. */
import { QueryCommand } from 'dynamodb-toolbox'
import { table, EventEntity, keys } from '../aws/table'

import type { PublicEventSummary } from '../../shared/schemas/events'

/** Listed events starting from `now`, reading the month partitions of gsi3 in order. */
export async function listUpcomingPublicEvents(now: Date, limit = 20, monthsAhead = 12): Promise<PublicEventSummary[]> {
  const found: PublicEventSummary[] = []
  const from = now.toISOString()
  for (let offset = 0; offset <= monthsAhead && found.length < limit; offset++) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7)
    const page = await table
      .build(QueryCommand)
      .entities(EventEntity)
      .query({ index: 'gsi3', partition: keys.publicMonth(month), range: { gte: from.slice(0, 10) } })
      .options({ limit: limit - found.length, maxPages: Infinity })
      .send()
    for (const event of page.Items ?? []) {
      // All-day events compare by date; timed ones by instant.
      if (!event.allDay && event.start < from) continue
      found.push({
        uid: event.uid,
        summary: event.summary,
        start: event.start,
        end: event.end,
        allDay: event.allDay,
        location: event.location,
        organizerName: event.organizerName,
      })
    }
  }
  return found.slice(0, limit)
}
