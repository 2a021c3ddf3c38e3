/**
 * The time zone the dashboard shows times in: the one the viewer chose (a cookie, so the
 * server renders in it too and nothing changes after hydration), else the browser's own. The
 * browser's zone is known only once the page runs there, so without a choice the server
 * renders in the event's own zone (as the public pages do) and the browser's zone takes over
 * after hydration. Shared by every time on the page and the picker (useState).
 */
import { isTimeZone } from '~~/shared/listing-days'

/** The cookie that remembers the chosen zone. */
const COOKIE = 'viewer-zone'
const YEAR_SECONDS = 365 * 86_400

export function useViewerZone() {
  const cookie = useCookie<string | null>(COOKIE, { default: () => null, maxAge: YEAR_SECONDS, sameSite: 'lax', path: '/' })
  const chosen = useState<string | null>('viewer-zone-chosen', () => (isTimeZone(cookie.value) ? cookie.value : null))
  const browserZone = useState<string | null>('viewer-zone-browser', () => null)
  onMounted(() => {
    const own = Intl.DateTimeFormat().resolvedOptions().timeZone
    if (!browserZone.value && isTimeZone(own)) browserZone.value = own
  })
  /** The zone to show times in; null while unknown (the server, with no zone chosen). */
  const zone = computed(() => chosen.value ?? browserZone.value)
  /** Remember `next` as the viewer's zone, or (null) follow the browser's again. */
  function choose(next: string | null) {
    chosen.value = isTimeZone(next) ? next : null
    cookie.value = chosen.value
  }
  return { zone, chosen, browserZone, choose }
}
