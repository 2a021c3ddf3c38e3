/**
 * The in-process memory of the public pages' reads (lists, an event by its public id): a
 * popular page costs the table one read per PUBLIC_CACHE_SECONDS per process whatever the
 * traffic, and concurrent requests for a value not yet in memory wait for the same read
 * (lru-cache's fetch shares the one in flight) instead of each reading the table. A failed
 * read is not remembered. A change made elsewhere (another process, a mailed update) shows
 * within PUBLIC_CACHE_SECONDS; one made through this process (listing, unlisting) forgets
 * everything at once.
 */
import { LRUCache } from 'lru-cache'

/** How long a process serves a public read from memory. */
export const PUBLIC_CACHE_SECONDS = 5

/** A value remembered for a while, read by `load` when absent or expired. */
export interface PublicMemo<V> {
  get(key: string, load: () => Promise<V>): Promise<V>
}

const clearers: (() => void)[] = []

export function publicMemo<V>(max = 1000): PublicMemo<V> {
  // lru-cache holds no null or undefined values (its "absent"), so each value is boxed.
  type Box = { value: V }
  const cache = new LRUCache<string, Box, () => Promise<V>>({
    max,
    ttl: PUBLIC_CACHE_SECONDS * 1000,
    fetchMethod: async (_key, _stale, { context }) => ({ value: await context() }),
  })
  clearers.push(() => cache.clear())
  return {
    async get(key, load) {
      const box = await cache.fetch(key, { context: load })
      return box!.value
    },
  }
}

/** Forget every remembered public read (a change made through this process; tests). */
export function forgetPublicReads(): void {
  for (const clear of clearers) clear()
}
