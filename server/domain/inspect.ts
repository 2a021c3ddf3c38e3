/** The JSON description `cis inspect` prints for a scheduling message. */
import type { EventComponent, SchedulingMessage } from './scheduling'
import { occurrencesOf } from './ical/occurrences'

const SHOWN_OCCURRENCES = 10

/** A series' first occurrences (over two years), as the server would keep them. */
function firstOccurrences(master: EventComponent, overrides: EventComponent[]) {
  if (!master.start || (!master.rrule && master.rdates.length === 0)) return undefined
  const from = master.start.slice(0, 10)
  const to = `${Number(from.slice(0, 4)) + 2}${from.slice(4)}`
  const instances = Object.fromEntries(overrides.map((o) => [o.recurrenceId!, { start: o.start, end: o.end, status: o.status ?? 'CONFIRMED' }]))
  return occurrencesOf({ ...master, start: master.start, status: master.status ?? undefined, instances }, from, to, SHOWN_OCCURRENCES).map(({ start, end, status }) => ({
    start,
    end,
    ...(status ? { status } : {}),
  }))
}

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
    tzid: lead.tzid,
    startLocal: lead.startLocal,
    transp: lead.transp,
    rrule: lead.rrule,
    rdates: lead.rdates,
    exdates: lead.exdates,
    occurrences: message.master ? firstOccurrences(message.master, message.overrides) : undefined,
    recurrenceId: lead.recurrenceId,
    overrides: overrides.map(instanceSummary),
    prodid: message.prodid,
    dtstamp: lead.dtstamp,
    warnings: message.warnings,
  }
}
