import ICAL from 'ical.js'
import { isoInstant } from '../../server/domain/ical/zone'

/**
 * The second referee, for invitations python's cannot read (PERIOD RDATEs) or reads wrongly
 * (an UNTIL exactly at the last occurrence of a zoned series): Mozilla's ical.js expands a
 * calendar as Thunderbird would. Its zone registry is process-wide, so the calendar's
 * VTIMEZONEs are registered only while it is read. Occurrences starting on `from` (a date)
 * or later, up to the end of `to`, cancelled ones left out.
 */
export function icaljsList(text: string, uid: string, from: string, to: string) {
  const root = new ICAL.Component(ICAL.parse(text))
  const zones = root.getAllSubcomponents('vtimezone').map((component) => new ICAL.Timezone({ component, tzid: String(component.getFirstPropertyValue('tzid')) }))
  for (const zone of zones) ICAL.TimezoneService.register(zone)
  try {
    const vevents = root.getAllSubcomponents('vevent').filter((v) => String(v.getFirstPropertyValue('uid')) === uid)
    const master = vevents.find((v) => !v.hasProperty('recurrence-id'))!
    const event = new ICAL.Event(master, { exceptions: vevents.filter((v) => v.hasProperty('recurrence-id')) })
    const time = (t: ICAL.Time) => (t.isDate ? t.toString() : isoInstant(t.toUnixTime() * 1000))
    const until = Date.parse(`${to}T23:59:59Z`)
    const list: { start: string; end: string }[] = []
    const iterator = event.iterator()
    for (let next: ICAL.Time | ICAL.Period = iterator.next(); next && list.length < 5000; next = iterator.next()) {
      // ical.js hands a PERIOD RDATE over as the period itself, which its occurrence details cannot take.
      if (next instanceof ICAL.Period) {
        list.push({ start: time(next.start), end: time(next.getEnd()) })
        continue
      }
      const details = event.getOccurrenceDetails(next)
      if ((next.isDate ? Date.parse(`${next.toString()}T00:00:00Z`) : next.toUnixTime() * 1000) > until) break
      if (String(details.item.component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') continue
      list.push({ start: time(details.startDate), end: time(details.endDate) })
    }
    return list.filter((o) => o.start >= from)
  } finally {
    for (const zone of zones) ICAL.TimezoneService.remove(zone.tzid)
  }
}

