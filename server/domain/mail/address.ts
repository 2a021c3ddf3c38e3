/**
 * The one place that decides what a mail address is and finds it in the text around it:
 * the rule itself is shared with the API's schemas (shared/mail-address.ts).
 */
import { isMailAddress } from '../../../shared/mail-address'

export { isMailAddress }

/** The domain of an email address (`Alice <alice@Example.com>` → `example.com`), or '' without one. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@')
  return at === -1 ? '' : address.slice(at + 1).replace(/[<>\s]/g, '').toLowerCase()
}

/** Quoted display names and (comments): text that may look like an address but is none. */
const QUOTED = /"(?:[^"\\]|\\.)*"/g
const COMMENT = /\((?:[^()\\]|\\.)*\)/g
const ANGLED = /<([^<>@\s]+@[^<>\s]+)>/g
const BARE = /[^\s<>"(),;:]+@[^\s<>"(),;:]+/g

/**
 * The address of each mailbox a header value lists, lower-cased, in order: the one in angle
 * brackets (`"Doe, Jane" <Jane@Example.com>`), else the bare one (`jane@example.com (Jane)`),
 * never one inside a quoted name or a comment; '' for a mailbox that names two.
 */
export function addressesInHeader(value: string | undefined): string[] {
  if (!value) return []
  let text = value.replace(QUOTED, ' ')
  // Comments nest: each pass removes the innermost ones.
  let outer: string
  do {
    outer = text
    text = text.replace(COMMENT, ' ')
  } while (text !== outer)
  return text
    .split(',')
    .filter((mailbox) => mailbox.includes('@'))
    .map((mailbox) => {
      const angled = [...mailbox.matchAll(ANGLED)].map((match) => match[1]!)
      const found = angled.length ? angled : [...mailbox.matchAll(BARE)].map((match) => match[0])
      return found.length === 1 ? found[0]!.toLowerCase() : ''
    })
}

/** The address of the first mailbox a header value lists (a From value), or '' without one. */
export function addressInHeader(value: string | undefined): string {
  return addressesInHeader(value)[0] ?? ''
}

const CALENDAR_VALUE_SEPARATORS = /[\s:;<>"/]+/

/**
 * The address in a calendar user value, lower-cased: `MAILTO:Alice@Example.com`, a malformed
 * `;mailto:` leftover, or one inside a principal URL (`/` ends it); null when there is none.
 */
export function addressInCalendarValue(value: string | null): string | null {
  if (!value) return null
  // The first word (between spaces, `:;<>"/`) with an @ inside it. Split rather than matched
  // with /[^…]+@[^…]+/, which retries at every character of a long word without an @.
  const address = value.split(CALENDAR_VALUE_SEPARATORS).find((word) => word.slice(1, -1).includes('@'))?.toLowerCase()
  // Something@something that is no mail address (a value cut short) could not be mailed.
  return address && isMailAddress(address) ? address : null
}
