/** The search (`?q=`) and page (`?page=`) of a public list page, as its API reads them. */
import { LIST_SEARCH_MAX } from '~~/shared/schemas/public-listing'

export function usePublicListQuery() {
  const route = useRoute()
  const q = computed(() => (typeof route.query.q === 'string' ? route.query.q.trim().slice(0, LIST_SEARCH_MAX) : ''))
  const page = computed(() => {
    const value = Number(route.query.page)
    return Number.isInteger(value) && value >= 1 && value <= 1000 ? value : 1
  })
  const apiQuery = computed(() => ({ ...(q.value ? { q: q.value } : {}), ...(page.value > 1 ? { page: page.value } : {}) }))
  return { q, page, apiQuery }
}
