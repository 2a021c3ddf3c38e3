/**
 * Time zone names to IANA: IANA names as they are, Windows names through the CLDR
 * Windows→IANA mapping, which also knows Outlook's display names such as "(UTC+01:00)
 * Amsterdam, Berlin…". Results are cached: a busy mailbox sees the same few names again
 * and again.
 *
 * `windows-zones.json` is the table node-ical uses while parsing (node-ical 0.27.2,
 * Apache-2.0), copied unchanged because node-ical's package exports no longer expose it;
 * `windows-iana` on npm has the Windows names but not Outlook's display names.
 */
import windowsZones from './windows-zones.json' with { type: 'json' }

const windows = windowsZones as Record<string, { iana: string[] }>
const cache = new Map<string, string | null>()

function isIana(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name })
    // Intl also accepts offsets like "+01:00"; those are not names.
    return /^[A-Za-z]/.test(name)
  } catch {
    return false
  }
}

/** The IANA name for a TZID, or null when neither IANA nor a known Windows name. */
export function ianaTimezone(tzid: string): string | null {
  const cached = cache.get(tzid)
  if (cached !== undefined) return cached
  const name = tzid.replace(/^"(.*)"$/, '$1').replace(/\\,/g, ',').trim()
  const resolved =
    (isIana(name) ? name : null) ??
    windows[name]?.iana[0] ??
    // Exchange CDO writes "(GMT-05.00) Eastern Time (US & Canada)"; CLDR spells it "(UTC-05:00) …".
    windows[name.replace(/^\(GMT([+-]\d\d)\.(\d\d)\)/, '(UTC$1:$2)')]?.iana[0] ??
    null
  cache.set(tzid, resolved)
  return resolved
}
