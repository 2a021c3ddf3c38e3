/**
 * The built web app against the local stack the global setup started. Building takes
 * ~25 s, so every suite about the web app runs here, on one build.
 */
import { fileURLToPath } from 'node:url'
import { setup } from '@nuxt/test-utils/e2e'
import './web/landing-page'
import './web/invites-api'

await setup({ rootDir: fileURLToPath(new URL('../..', import.meta.url)), server: true, build: true, dev: false })
