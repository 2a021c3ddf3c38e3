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

const offsetPrefix = /^\((?:GMT|UTC)\s*(?:([+-])(\d{1,2})[.:](\d\d))?\)\s*/i

/** A display name's offset ("+01:00", or "" when it names none) and its words. */
function displayWords(name: string): { offset: string; words: Set<string> } {
  const match = offsetPrefix.exec(name)
  const offset = match ? (match[1] ? `${match[1]}${match[2]!.padStart(2, '0')}:${match[3]}` : '+00:00') : ''
  const words = name
    .slice(match?.[0].length ?? 0)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word && word !== 'and')
  return { offset, words: new Set(words) }
}

const displayNames = Object.entries(windows).map(([name, entry]) => ({ ...displayWords(name), iana: entry.iana[0] }))

/**
 * Legacy display names (Exchange's CDO and Outlook 2003: "(GMT+01.00) Sarajevo/Warsaw/
 * Zagreb", "Pacific Time (US & Canada)\, Tijuana") name the places of a CLDR display name
 * ("(UTC+01:00) Sarajevo, Skopje, Warsaw, Zagreb") in other punctuation, or some of them:
 * a name whose words all appear in table names of its offset that agree on one zone is
 * that zone; a name that matches several zones stays unnamed.
 */
function displayNameZone(name: string): string | null {
  const wanted = displayWords(name)
  if (wanted.words.size === 0) return null
  const zones = new Set<string>()
  for (const candidate of displayNames) {
    if (wanted.offset && candidate.offset && wanted.offset !== candidate.offset) continue
    if ([...wanted.words].every((word) => candidate.words.has(word)) && candidate.iana) zones.add(candidate.iana)
  }
  return zones.size === 1 ? [...zones][0]! : null
}

/** The IANA name for a TZID, or null when neither IANA nor a known Windows name. */
export function ianaTimezone(tzid: string): string | null {
  const cached = cache.get(tzid)
  if (cached !== undefined) return cached
  const name = tzid.replace(/^"(.*)"$/, '$1').replace(/\\,/g, ',').trim()
  const resolved =
    (isIana(name) ? name : null) ??
    windows[name]?.iana[0] ??
    // Lotus Notes names zones by the Windows name without " Standard Time" ("Eastern", "FLE").
    windows[`${name} Standard Time`]?.iana[0] ??
    // Exchange CDO writes "(GMT-05.00) Eastern Time (US & Canada)"; CLDR spells it "(UTC-05:00) …".
    windows[name.replace(/^\(GMT([+-]\d\d)\.(\d\d)\)/, '(UTC$1:$2)')]?.iana[0] ??
    displayNameZone(name)
  cache.set(tzid, resolved)
  return resolved
}
