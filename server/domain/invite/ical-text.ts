/**
 * The text rules of iCalendar (RFC 5545 §3.1–3.3) the invitations we write follow: TEXT
 * values escaped, parameter values quoted without DQUOTE or control characters, lines
 * folded at 75 octets without splitting a UTF-8 character, CRLF line ends, and the
 * DATE / DATE-TIME forms (UTC, or wall-clock time in a named zone).
 */
import { wallClock } from './vtimezone'

/** CONTROL characters TEXT may not carry (HTAB is allowed; line breaks are escaped separately). */
const TEXT_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g

/** A TEXT value (SUMMARY, DESCRIPTION, LOCATION…): `\`, `;`, `,` and line breaks escaped. */
export function escapeText(value: string): string {
  return value
    .replace(TEXT_CONTROLS, '')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '\\n')
}

/**
 * A quoted parameter value (CN): a quoted-string may hold neither DQUOTE nor control
 * characters, and has no escape mechanism (RFC 6868's `^'` is not read by every client),
 * so `"` becomes `'` and control characters become spaces.
 */
export function quoteParam(value: string): string {
  return `"${paramText(value)}"`
}

/** The text a quoted parameter can carry ('' when nothing is left). */
export const paramText = (value: string) => value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/"/g, "'").replace(/\s+/g, ' ').trim()

const ASCII = /^[\x00-\x7f]*$/
const MAX_OCTETS = 75

/**
 * One content line folded at 75 octets (RFC 5545 §3.1): every physical line, including the
 * leading space of a continuation, is at most 75 octets, and a break never falls inside
 * a UTF-8 sequence (it falls between code points). CRLF between the pieces, none at the end.
 */
export function foldLine(line: string): string {
  if (line.length <= MAX_OCTETS && (line.length * 3 <= MAX_OCTETS || Buffer.byteLength(line) <= MAX_OCTETS)) return line
  if (ASCII.test(line)) {
    let folded = line.slice(0, MAX_OCTETS)
    for (let at = MAX_OCTETS; at < line.length; at += MAX_OCTETS - 1) folded += '\r\n ' + line.slice(at, at + MAX_OCTETS - 1)
    return folded
  }
  let folded = ''
  let octets = 0
  let limit = MAX_OCTETS
  for (const char of line) {
    const code = char.codePointAt(0)!
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
    if (octets + size > limit) {
      folded += '\r\n '
      octets = 0
      limit = MAX_OCTETS - 1
    }
    folded += char
    octets += size
  }
  return folded
}

/** Content lines to calendar text: each folded, each ended by CRLF. */
export const foldLines = (lines: string[]): string => lines.map((line) => foldLine(line) + '\r\n').join('')

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** `2027-03-15T09:00:00Z` (any ISO instant) → `20270315T090000Z`. */
export function utcDateTime(value: string | number | Date): string {
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime())) throw new RangeError(`Not a time: ${String(value)}`)
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`
}

/** `2027-03-15` → `20270315`. */
export function dateValue(value: string): string {
  if (!isDateOnly(value)) throw new RangeError(`Not a date: ${value}`)
  return value.replace(/-/g, '')
}

/** Wall-clock time of an instant in an IANA zone: `20270315T100000` (no `Z`: used with TZID). */
export function zonedDateTime(value: string | number, zone: string): string {
  const ms = typeof value === 'number' ? value : Date.parse(value)
  if (Number.isNaN(ms)) throw new RangeError(`Not a time: ${String(value)}`)
  const w = wallClock(zone, ms)
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`
}

export const isDateOnly = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value)
