/**
 * A cursor-paginated API list shown on a page: the first page through useFetch (rendered on
 * the server, read again with `refresh`), later pages appended by `more()`. A failure shows
 * as a sentence (`failure`) and keeps what was already shown. Await `ready` in the page's
 * setup: the first page is then in the server-rendered HTML. `page` is the first page as
 * the API gave it (for what it says besides its items).
 */
import type { Ref } from 'vue'

export function useCursorList<T>(
  url: () => string,
  field: string,
  options: { limit?: number; loadFailed: string; moreFailed: string },
) {
  type Page = { cursor: string | null } & Record<string, unknown>
  const query = options.limit ? { limit: options.limit } : {}
  const firstPage = useFetch<Page>(url, { query })
  const items = ref([]) as Ref<T[]>
  const cursor = ref<string | null>(null)
  const failure = ref('')
  const loading = ref(false)

  const showFirstPage = () => {
    const page = firstPage.data.value
    items.value = (page?.[field] as T[] | undefined) ?? []
    cursor.value = page?.cursor ?? null
    failure.value = firstPage.error.value ? apiErrorSentence(firstPage.error.value, options.loadFailed) : ''
  }
  // In the browser, each new first page (a refresh) replaces the list; on the server watchers
  // do not run after setup, so `ready` shows the first page once it is there.
  watch([firstPage.data, firstPage.error], showFirstPage)
  const ready = firstPage.then(showFirstPage)

  async function more() {
    if (!cursor.value || loading.value) return
    loading.value = true
    failure.value = ''
    try {
      const page = await $fetch<Page>(url(), { query: { ...query, cursor: cursor.value } })
      items.value = [...items.value, ...((page[field] as T[] | undefined) ?? [])]
      cursor.value = page.cursor
    } catch (problem) {
      failure.value = apiErrorSentence(problem, options.moreFailed)
    } finally {
      loading.value = false
    }
  }

  return { items, cursor, failure, loading, more, refresh: firstPage.refresh, ready, page: firstPage.data }
}
