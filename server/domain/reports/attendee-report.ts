/**
 * The attendee report an organizer downloads: one CSV row per attendee, with a header row.
 * Cells a spreadsheet would run as a formula get a leading `'` (server/domain/csv/write-csv.ts).
 */
import { csvText } from '../csv/write-csv'

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

/** The CSV text (RFC 4180, every line ended by CRLF) of the rows, header first. */
export function attendeeReportCsv(rows: AttendeeReportRow[]): string {
  return csvText(ATTENDEE_REPORT_COLUMNS, rows.map((row) => ATTENDEE_REPORT_COLUMNS.map((column) => row[column])))
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
