// Who is signed in (GET /api/auth/me), shared by the middleware, the layout and the dashboard pages.
import { defineStore } from 'pinia'
import type { CallerView } from '~~/shared/schemas/auth'

export const useSessionStore = defineStore('session', () => {
  const me = ref<CallerView | null>(null)
  const loaded = ref(false)
  const isOwner = computed(() => Boolean(me.value && (me.value.systemOwner || me.value.ownedDomains.length > 0)))

  /** Reads the caller; during SSR the request's cookie goes along (useRequestFetch). */
  async function load() {
    const request = useRequestFetch()
    try {
      me.value = await request<CallerView>('/api/auth/me')
    } catch {
      me.value = null
    }
    loaded.value = true
    return me.value
  }

  function clear() {
    me.value = null
    loaded.value = true
  }

  return { me, loaded, isOwner, load, clear }
})
