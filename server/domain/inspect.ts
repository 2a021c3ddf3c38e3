/** The JSON description `cis inspect` prints for a scheduling message. */
import type { EventComponent, SchedulingMessage } from './scheduling'

const instanceSummary = (c: EventComponent) => ({
  recurrenceId: c.recurrenceId,
  thisAndFuture: c.thisAndFuture,
  sequence: c.sequence,
  status: c.status,
  summary: c.summary,
  start: c.start,
  end: c.end,
})

export function describeMessage(message: SchedulingMessage) {
  const lead = message.master ?? message.overrides[0]!
  const overrides = message.master ? message.overrides : message.overrides.slice(1)
  return {
    method: message.method,
    uid: lead.uid,
    sequence: lead.sequence,
    status: lead.status,
    summary: lead.summary,
    location: lead.location,
    organizer: lead.organizer,
    attendees: lead.attendees.map(({ email, name, partstat }) => ({ email, name, partstat })),
    start: lead.start,
    end: lead.end,
    allDay: lead.allDay,
    timezone: lead.timezone,
    rrule: lead.rrule,
    recurrenceId: lead.recurrenceId,
    overrides: overrides.map(instanceSummary),
    prodid: message.prodid,
    dtstamp: lead.dtstamp,
    warnings: message.warnings,
  }
}
