/**
 * The time zone the public lists show times in. The server cannot know the visitor's zone
 * without JavaScript, and a page that differs by visitor could not be kept by a CDN, so:
 * the server renders in the zone named by `?tz=` (a link or the search form can carry it),
 * or else in UTC, and says which; once the page runs in the browser (after hydration, so the
 * first render matches the server's), it shows times in the browser's own zone unless
 * `?tz=` chose one.
 */
import { isTimeZone } from '~~/shared/listing-days'

export function useVisitorZone() {
  const route = useRoute()
  const chosen = computed(() => {
    const tz = route.query.tz
    return typeof tz === 'string' && isTimeZone(tz) ? tz : null
  })
  const browserZone = ref<string | null>(null)
  onMounted(() => {
    const own = Intl.DateTimeFormat().resolvedOptions().timeZone
    if (isTimeZone(own)) browserZone.value = own
  })
  const zone = computed(() => chosen.value ?? browserZone.value ?? 'UTC')
  return { zone, chosen }
}
