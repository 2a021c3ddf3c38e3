/**
 * What reading an invitation list gives, row by row, and the one wording of every reason a
 * row is refused: the dashboard's preview, the bulk mailbox's status mail, the batch API
 * and `cis check-list` all say the same.
 */

/** `vip`: a list for one event (`email`, optional `name`). `bulk`: rows naming their event (`uid`, `email`, optional `name`). */
export const LIST_LAYOUTS = ['vip', 'bulk'] as const
export type ListLayout = (typeof LIST_LAYOUTS)[number]

/**
 * Why a row is not invited. The first four are found by reading the file alone; the rest
 * need the server's data (the event, the caller, the suppression list, the invitations).
 */
export const LIST_REASONS = {
  invalidAddress: 'not a valid email address',
  missingAddress: 'no email address',
  missingEvent: 'no event UID',
  serverMailbox: "one of this server's own mailboxes",
  unknownEvent: 'no such event',
  notYourEvent: 'not your event',
  cancelledEvent: 'the event is cancelled',
  suppressed: 'the address bounced or complained, so nothing is sent to it',
  blocked: 'the address asked for no mail from this server',
  unsubscribed: 'the address unsubscribed',
  alreadyInvited: 'already invited',
  overDailyLimit: "over the organizer's daily invitation limit",
  overEventLimit: "over the event's attendee limit",
} as const
export type ListReason = (typeof LIST_REASONS)[keyof typeof LIST_REASONS]

/** A row to invite, as read: the address lower-cased, the name as written (trimmed). */
export interface ListRow {
  kind: 'row'
  /** The row's number as a spreadsheet shows it: the header is row 1 when there is one; blank lines count. */
  row: number
  /** The address cell as written (for reports). */
  value: string
  email: string
  name: string | null
  /** The event the row names (bulk layout); null in the vip layout. */
  uid: string | null
}

export interface ListInvalid {
  kind: 'invalid'
  row: number
  value: string
  reason: ListReason
}

export interface ListDuplicate {
  kind: 'duplicate'
  row: number
  value: string
  /** The row that first had this address (for the bulk layout: this address and this event). */
  firstRow: number
}

export type ListEntry = ListRow | ListInvalid | ListDuplicate

/** A file that cannot be read as a list at all; its message is the one sentence a person is shown. */
export class UnreadableList extends Error {
  constructor(sentence: string) {
    super(sentence)
    this.name = 'UnreadableList'
  }
}

/** What `cis check-list` prints and the dashboard's preview shows. */
export interface ListSummary {
  /** Data rows: not the header, not blank lines. */
  rows: number
  valid: number
  invalid: { row: number; value: string; reason: string }[]
  duplicates: { row: number; value: string; firstRow: number }[]
}
