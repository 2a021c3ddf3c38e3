// The dashboard's event list: its filters, the pages loaded so far and the cursor of the next one.
import { defineStore } from 'pinia'
import type { EventListItem } from '~~/shared/schemas/events'
import type { EventView } from '~~/shared/vocabulary'

export interface EventFilters {
  view: EventView
  q: string
  sort: 'start' | '-start' | ''
  organizer: string
}

type EventPage = { events: EventListItem[]; cursor: string | null }

const queryOf = (filters: EventFilters, cursor?: string) => ({
  view: filters.view,
  ...(filters.q ? { q: filters.q } : {}),
  ...(filters.sort ? { sort: filters.sort } : {}),
  ...(filters.organizer ? { organizer: filters.organizer } : {}),
  ...(cursor ? { cursor } : {}),
})

export const useEventsStore = defineStore('events', () => {
  const filters = ref<EventFilters>({ view: 'upcoming', q: '', sort: '', organizer: '' })
  const events = ref<EventListItem[]>([])
  const cursor = ref<string | null>(null)
  const loading = ref(false)
  const error = ref('')

  // Raised by every new list (other view, search, sort): an answer for an older one, still
  // on its way (a slow "Load more", an earlier search), is dropped instead of mixed in.
  let generation = 0
  const STALE = Symbol('stale')

  async function fetchPage(request: ReturnType<typeof useRequestFetch>, after?: string): Promise<EventPage | null | typeof STALE> {
    const asked = generation
    loading.value = true
    error.value = ''
    try {
      const page = await request<EventPage>('/api/events', { query: queryOf(filters.value, after) })
      return asked === generation ? page : STALE
    } catch (failure) {
      if (asked !== generation) return STALE
      error.value = apiErrorSentence(failure, after ? 'More events could not be loaded. Please try again shortly.' : 'The events could not be loaded. Please try again shortly.')
      return null
    } finally {
      if (asked === generation) loading.value = false
    }
  }

  /** Replaces the list with the first page for these filters. */
  async function load(next: EventFilters) {
    const request = useRequestFetch()
    generation++
    filters.value = { ...next }
    const page = await fetchPage(request)
    if (page === STALE) return
    events.value = page?.events ?? []
    cursor.value = page?.cursor ?? null
  }

  /** Appends the next page; when that fails, the events shown so far stay, with the error. */
  async function loadMore() {
    if (!cursor.value || loading.value) return
    const page = await fetchPage($fetch, cursor.value)
    if (!page || page === STALE) return
    events.value = [...events.value, ...page.events]
    cursor.value = page.cursor
  }

  return { filters, events, cursor, loading, error, load, loadMore }
})
