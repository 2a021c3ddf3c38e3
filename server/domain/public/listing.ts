/**
 * What the public lists decide about an event, without storage: when it next happens (a
 * series' next occurrence from now), how it repeats in words, whether it matches a search,
 * and the order and page of a list.
 */
import * as rruleModule from 'rrule'
import { occurrencesOf, type SeriesTimes } from '../ical/occurrences'

// rrule ships CommonJS to Node (its ES module only to bundlers), so Node's loader gives its
// exports as `default`, the bundled server as named exports: take the one that is there.
const { RRule } = ('RRule' in rruleModule ? rruleModule : (rruleModule as unknown as { default: typeof rruleModule }).default) as typeof rruleModule

/** How far ahead a series' next occurrence is looked for. */
const SERIES_HORIZON_MS = 2 * 366 * 86_400_000

export interface NextOccurrence {
  start: string
  end: string | null
}

/**
 * When the event next happens at or after `now`: its own start and end for a single event,
 * the first occurrence still ahead (not cancelled) for a series; null when it is over.
 * All-day events count for their whole day.
 */
export function nextOccurrenceOf(event: SeriesTimes & { end?: string | null }, now: Date): NextOccurrence | null {
  const nowIso = now.toISOString()
  const today = nowIso.slice(0, 10)
  const ahead = (start: string) => (event.allDay ? start.slice(0, 10) >= today : start >= nowIso)
  if (!event.rrule && !event.rdates.length) return ahead(event.start) ? { start: event.start, end: event.end ?? null } : null
  const until = new Date(now.getTime() + SERIES_HORIZON_MS).toISOString()
  const next = occurrencesOf(event, event.allDay ? today : nowIso, until)
    .filter((occurrence) => occurrence.status !== 'CANCELLED' && ahead(occurrence.start))
    .sort((a, b) => a.start.localeCompare(b.start))[0]
  return next ? { start: next.start, end: next.end === next.start ? null : next.end } : null
}

/**
 * How a series repeats, in words (`every week on Tuesday`): rrule's English wording of the
 * RRULE, or a plain sentence where it has none (extra dates only, or a rule rrule cannot word).
 * Null for a single event.
 */
export function repeatsInWords(rrule: string | null | undefined, rdates: readonly string[] = []): string | null {
  if (!rrule) return rdates.length ? 'on several dates' : null
  try {
    const rule = RRule.fromString(rrule.replace(/^RRULE:/i, ''))
    return rule.isFullyConvertibleToText() ? rule.toText() : 'repeats'
  } catch {
    // A rule the organizer's calendar wrote that rrule does not read: still a series.
    return 'repeats'
  }
}

const fold = (text: string) => text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase()

/** What a search looks in: the summary and the location, folded (made once per event, not per search). */
export const searchTextOf = (event: { summary: string; location?: string | null }) => fold(`${event.summary} ${event.location ?? ''}`)

/** Whether the summary or the location contains every word of `q` (case- and accent-insensitive). */
export function matchesSearch(event: { summary: string; location?: string | null; searchText?: string }, q: string | undefined): boolean {
  const words = fold(q ?? '').split(/\s+/).filter(Boolean)
  if (!words.length) return true
  const text = event.searchText ?? searchTextOf(event)
  return words.every((word) => text.includes(word))
}

/**
 * Soonest first, comparing all-day dates with instants by the start of their day in UTC (a
 * date-only value sorts before every time on that day, as a day's heading comes first).
 */
export function soonestFirst<T extends { start: string; summary: string }>(events: T[]): T[] {
  return [...events].sort((a, b) => a.start.localeCompare(b.start) || a.summary.localeCompare(b.summary))
}

/** Page `page` (from 1) of `size` items, and the next page's number or null. */
export function pageOf<T>(items: T[], page: number, size: number): { items: T[]; nextPage: number | null } {
  const from = (page - 1) * size
  return { items: items.slice(from, from + size), nextPage: items.length > from + size ? page + 1 : null }
}
