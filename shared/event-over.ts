/** When an event is over, the same rule for the server (no invitation is sent for it) and the dashboard (no invite form is shown). */

/**
 * Over: its end (or start) has passed. A series is over only once its UNTIL has passed; one
 * ending by COUNT is taken as going on (refusing a series that still runs would be worse
 * than inviting to one whose last occurrence just went by).
 */
export function isOver(event: { start: string; end: string | null; allDay: boolean; rrule: string | null }, now: Date): boolean {
  if (event.rrule) {
    const until = /UNTIL=(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?/i.exec(event.rrule)
    if (!until) return false
    const [, y, m, d, hh = '23', mm = '59', ss = '59'] = until
    return Date.parse(`${y}-${m}-${d}T${hh}:${mm}:${ss}Z`) < now.getTime()
  }
  const last = event.end ?? event.start
  // An all-day end is exclusive (the day after); a single all-day date lasts that whole day.
  const ends = /^\d{4}-\d{2}-\d{2}$/.test(last) ? Date.parse(`${last}T00:00:00Z`) + (event.end ? 0 : 86_400_000) : Date.parse(last)
  return ends < now.getTime()
}
