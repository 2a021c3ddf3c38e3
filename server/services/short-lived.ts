/**
 * Short-lived in-process memory of lookups made on every API request (who a token or a
 * session belongs to, what roles an address has). Each request would otherwise read the
 * table two or three times before doing its own work. Changes made through this process
 * forget the entry at once; a change made elsewhere (another Lambda instance, the `cis`
 * command) is seen within CIS_AUTH_CACHE_SECONDS (default 5; 0 turns the memory off).
 */
import { LRUCache } from 'lru-cache'
import { config } from '../config'

export interface ShortLived<V extends object> {
  get(key: string): V | undefined
  set(key: string, value: V): void
  forget(key: string): void
}

const clearers: (() => void)[] = []

export function shortLived<V extends object>(max = 10_000): ShortLived<V> {
  const cache = new LRUCache<string, V>({ max })
  clearers.push(() => cache.clear())
  return {
    get: (key) => cache.get(key),
    set(key, value) {
      const ttl = config().authCacheSeconds * 1000
      // A new value for a remembered key keeps the key's deadline: remembering must never be
      // extended by use, or a token revoked elsewhere would work as long as it is used.
      if (ttl > 0) cache.set(key, value, { ttl, noUpdateTTL: true })
    },
    forget: (key) => void cache.delete(key),
  }
}

/** Forget everything (tests that change the table behind the server's back). */
export function forgetShortLived(): void {
  for (const clear of clearers) clear()
}
