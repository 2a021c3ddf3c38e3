/**
 * The built web app against the local stack the global setup started. Building takes
 * ~25 s, so every suite about the web app runs here, on one build: each file in
 * tests/e2e/web/ is one suite.
 */
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { setup } from '@nuxt/test-utils/e2e'

const suites = fileURLToPath(new URL('./web/', import.meta.url))
// @vite-ignore: the file names are only known at run time (every suite in the folder).
for (const file of readdirSync(suites).filter((name) => name.endsWith('.ts')).sort()) await import(/* @vite-ignore */ `./web/${file}`)

// Debian's Chromium (PLATFORM.md); .ci/run installs it. Without it the browser suite skips.
const chromium = '/usr/bin/chromium'
await setup({
  rootDir: fileURLToPath(new URL('../..', import.meta.url)),
  server: true,
  build: true,
  dev: false,
  browser: existsSync(chromium),
  browserOptions: {
    type: 'chromium',
    launch: {
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
})
