/**
 * The attendee report an organizer downloads: one CSV row per attendee, with a header row.
 * Cells a spreadsheet would run as a formula (= + - @, tab, CR first) get a leading `'`.
 */
import Papa from 'papaparse'

export interface AttendeeReportRow {
  email: string
  name: string | null
  /** The attendee's PARTSTAT (ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION, DELEGATED). */
  answer: string
  /** organizer (named in the organizer's invite), invite (invited by this server) or shared (a forwarded invite). */
  source: string
  /** How this server's invitation came about (api, vip, bulk, landing-page, embed), if it sent one. */
  origin: string | null
  invitationStatus: string | null
  invitedAt: string | null
  repliedAt: string | null
  /** The calendar client of the last reply. */
  client: string | null
}

export const ATTENDEE_REPORT_COLUMNS = [
  'email',
  'name',
  'answer',
  'source',
  'origin',
  'invitationStatus',
  'invitedAt',
  'repliedAt',
  'client',
] as const satisfies readonly (keyof AttendeeReportRow)[]

// papaparse's own pattern (/^[=+\-@\t\r].*$/) misses a formula followed by a line break.
const FORMULA_START = /^[=+\-@\t\r]/

/** The CSV text (RFC 4180, every line ended by CRLF) of the rows, header first. */
export function attendeeReportCsv(rows: AttendeeReportRow[]): string {
  const csv = Papa.unparse(
    {
      fields: [...ATTENDEE_REPORT_COLUMNS],
      data: rows.map((row) => ATTENDEE_REPORT_COLUMNS.map((column) => row[column] ?? '')),
    },
    { header: true, newline: '\r\n', escapeFormulae: FORMULA_START },
  )
  // papaparse ends the text with a line break only when there are no rows.
  return csv.endsWith('\r\n') ? csv : `${csv}\r\n`
}

/** A download name from the event's summary: `attendees-<summary>.csv`, ASCII only. */
export function attendeeReportFileName(summary: string): string {
  const slug = summary
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_-]+/g, '-')
    .toLowerCase()
    .slice(0, 60)
    .replace(/-+$/, '')
  return `attendees${slug ? `-${slug}` : ''}.csv`
}
