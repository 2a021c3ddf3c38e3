/**
 * The dashboard's attendee list over the whole event: only one answer, a search by name or
 * address, an order (by name, answer or reply time; names in natural order, so person2
 * comes before person10), one page after a cursor, and the figures shown above the list.
 * Plain functions over a few attributes of every attendee (services/attendee-list.ts reads them).
 */
import type { AttendeeSort, AttendeeSummary } from '../../../shared/schemas/events'
import type { AttendeeSource, PartstatValue } from '../../../shared/vocabulary'

/** What ordering and filtering need of an attendee. */
export interface AttendeeRow {
  email: string
  name: string | null
  partstat: PartstatValue
  source: AttendeeSource
  repliedAt: string | null
}

export interface AttendeeArrangement {
  status?: PartstatValue
  q?: string
  sort: AttendeeSort
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

/** Yes first, then maybe, no, delegated, and those who have not answered last. */
const ANSWER_RANK: Record<PartstatValue, number> = { ACCEPTED: 0, TENTATIVE: 1, DECLINED: 2, DELEGATED: 3, 'NEEDS-ACTION': 4 }

const shownName = (row: AttendeeRow) => row.name?.trim() || row.email
const byName = (a: AttendeeRow, b: AttendeeRow) => collator.compare(shownName(a), shownName(b)) || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)
/** Most recent reply first; people who never replied after everyone who did. */
const byReplied = (a: AttendeeRow, b: AttendeeRow) => {
  if (a.repliedAt === b.repliedAt) return 0
  if (a.repliedAt === null) return 1
  if (b.repliedAt === null) return -1
  return a.repliedAt < b.repliedAt ? 1 : -1
}

/** A total order for each sort (ties broken by name, then address), so a cursor names one position. */
export function attendeeOrder(sort: AttendeeSort): (a: AttendeeRow, b: AttendeeRow) => number {
  switch (sort) {
    case 'name':
      return byName
    case 'answer':
      return (a, b) => ANSWER_RANK[a.partstat] - ANSWER_RANK[b.partstat] || byName(a, b)
    case 'replied':
      return (a, b) => byReplied(a, b) || byName(a, b)
  }
}

/** Search text as compared: lower case, without accents, so "jose" finds "José". */
const folded = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()

export function matchesAttendee(row: AttendeeRow, q: string | undefined): boolean {
  const wanted = folded(q?.trim() ?? '')
  if (!wanted) return true
  return folded(row.email).includes(wanted) || folded(row.name ?? '').includes(wanted)
}

/** The rows the arrangement keeps, in its order. */
export function arrangeAttendees(rows: AttendeeRow[], arrangement: AttendeeArrangement): AttendeeRow[] {
  return rows
    .filter((row) => (!arrangement.status || row.partstat === arrangement.status) && matchesAttendee(row, arrangement.q))
    .sort(attendeeOrder(arrangement.sort))
}

/**
 * The page after `after` (the last row of the previous page, as the cursor keeps it): rows
 * that sort after it, so an attendee removed or added meanwhile shifts nothing twice.
 */
export function pageAfter(arranged: AttendeeRow[], sort: AttendeeSort, after: AttendeeRow | undefined, limit: number): { rows: AttendeeRow[]; more: boolean } {
  const order = attendeeOrder(sort)
  const start = after ? arranged.findIndex((row) => order(row, after) > 0) : 0
  if (start === -1) return { rows: [], more: false }
  const rows = arranged.slice(start, start + limit)
  return { rows, more: start + limit < arranged.length }
}

/**
 * The figures above the list: of the people invited (by the organizer or this server; not
 * those who answered a forwarded invite), how many answered; and who is coming (yes or
 * maybe, forwarded invites included: they come too).
 */
export function summarizeAttendees(rows: AttendeeRow[]): AttendeeSummary {
  const invited = rows.filter((row) => row.source !== 'shared')
  const answered = invited.filter((row) => row.partstat !== 'NEEDS-ACTION').length
  const accepted = rows.filter((row) => row.partstat === 'ACCEPTED').length
  const tentative = rows.filter((row) => row.partstat === 'TENTATIVE').length
  return {
    invited: invited.length,
    answered,
    shared: rows.length - invited.length,
    accepted,
    tentative,
    headcount: accepted + tentative,
  }
}
