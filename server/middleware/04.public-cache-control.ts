/**
 * Public pages and public API answers may be kept by a CDN and the browser for a short time
 * (server/utils/public-cache-control.ts), so repeats cost the server nothing. An error
 * answer is not kept: Nitro's error handler replaces the header with `no-cache`, and the
 * pages' own "not found" replace it too.
 */
import { allowPublicCaching, isPublicPath } from '../utils/public-cache-control'

export default defineEventHandler((event) => {
  if ((event.method === 'GET' || event.method === 'HEAD') && isPublicPath(event.path)) allowPublicCaching(event)
})
