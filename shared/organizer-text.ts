/**
 * Text an organizer wrote (an event's description or location), as pieces a page renders:
 * plain text, and links found in it (linkify-it). A page builds elements from the pieces
 * (Vue escapes the text), never HTML from the text, so nothing an organizer wrote can run
 * or style the page. Only http(s) and mailto links become links; anything else (a
 * `javascript:` address) stays text. Also finds the video-call link (Google Meet,
 * Microsoft Teams, Zoom) a page shows as a "Join" button.
 */
import LinkifyIt from 'linkify-it'

export type TextPiece = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string }

const linkify = new LinkifyIt()
/** The schemes a visitor's click may open. */
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

/** The address a found link opens, or null when it is not one a page may link to. */
function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url)
    return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null
  } catch {
    return null
  }
}

/** The text as pieces: text between links, and each http(s) or mailto link. */
export function textPieces(text: string): TextPiece[] {
  const pieces: TextPiece[] = []
  let at = 0
  for (const match of linkify.match(text) ?? []) {
    const href = safeHref(match.url)
    if (!href) continue
    if (match.index > at) pieces.push({ kind: 'text', text: text.slice(at, match.index) })
    pieces.push({ kind: 'link', text: match.text, href })
    at = match.lastIndex
  }
  if (at < text.length) pieces.push({ kind: 'text', text: text.slice(at) })
  return pieces
}

export type VideoService = 'Google Meet' | 'Microsoft Teams' | 'Zoom'

export interface JoinLink {
  service: VideoService
  href: string
}

/**
 * The service a link joins a call of: by host and by the path of a meeting (a Zoom or Teams
 * invitation also links to help pages and settings, which are not the call).
 */
function serviceOf(href: string): VideoService | null {
  const url = new URL(href)
  if (url.protocol !== 'https:') return null
  const host = url.hostname.toLowerCase()
  const path = url.pathname
  if (host === 'meet.google.com' && /^\/[a-z]{3}-[a-z]{4}-[a-z]{3}\/?$|^\/lookup\//i.test(path)) return 'Google Meet'
  if ((host === 'teams.microsoft.com' || host === 'teams.live.com') && /^\/(l\/meetup-join|meet)\//i.test(path)) return 'Microsoft Teams'
  if ((host === 'zoom.us' || host.endsWith('.zoom.us')) && /^\/(j|w|my|s|wc\/join)\//i.test(path)) return 'Zoom'
  return null
}

/** The first video-call link in the texts, in the order given (the location before the description). */
export function joinLinkOf(...texts: (string | null | undefined)[]): JoinLink | null {
  for (const text of texts) {
    for (const piece of text ? textPieces(text) : []) {
      if (piece.kind !== 'link') continue
      const service = serviceOf(piece.href)
      if (service) return { service, href: piece.href }
    }
  }
  return null
}

/**
 * The blocks calendars paste into a description for a video call, each a match from its first
 * line to its last: Google Meet's between `-::~:~::~…::-` lines, Microsoft Teams' between lines
 * of underscores, Zoom's from "Join Zoom Meeting" (or its "is inviting you" line) to the end,
 * where Zoom puts it.
 */
const CALL_BLOCKS = [
  /^-::~[:~]*::-[ \t]*\n[\s\S]*?\n-::~[:~]*::-[ \t]*$/gm,
  /^_{10,}[ \t]*\n[\s\S]*?\n_{10,}[ \t]*$/gm,
  /^(?:.*is inviting you to a scheduled Zoom meeting\.|Join Zoom Meeting)[ \t]*$[\s\S]*/gm,
]

/**
 * The description without the video-call block of `join`, for a page that shows a "Join" link
 * for that call instead: dial-in numbers, PINs and help links are noise beside it. A block of
 * another call (a Zoom block when the location's Meet link is the one to join) and a block
 * without any call (underscores an organizer typed) stay as written; without a join link, all of it.
 */
export function withoutCallBlocks(text: string, join: JoinLink | null): string {
  if (!join) return text
  let tidied = text.replace(/\r\n?/g, '\n')
  for (const block of CALL_BLOCKS) tidied = tidied.replace(block, (found) => (joinLinkOf(found)?.href === join.href ? '' : found))
  return tidied.replace(/\n{3,}/g, '\n\n').trim()
}
