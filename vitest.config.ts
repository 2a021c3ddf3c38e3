import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { apiOperationsModule } from './server/openapi/route-files.ts'

const root = fileURLToPath(new URL('.', import.meta.url))

// Three projects: `unit` (plain node, no services), `integration` (the real local servers,
// started once per run by the global setup on free ports) and `e2e` (the built Nuxt app
// served against the same local servers).
export default defineConfig({
  // The module Nitro generates from the route files (nuxt.config.ts), for tests that load routes.
  plugins: [
    {
      name: 'api-operations',
      resolveId: (id) => (id === '#api-operations' ? '\0api-operations' : undefined),
      load: (id) => (id === '\0api-operations' ? apiOperationsModule(root) : undefined),
    },
  ],
  test: {
    // `npm run test:security` runs the tests tagged `security` (--tags-filter=security); they
    // stay in their own files and projects, so `npm test` runs each of them once.
    tags: [{ name: 'security', description: 'Hostile callers and input: authorization, forged mail, public-form abuse, XSS, header and CSV formula injection.' }],
    // Passing tests print no log lines (a test reads them through its own logger:
    // tests/support/log-lines.ts); POWERTOOLS_LOG_LEVEL=INFO shows them.
    env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          environment: 'node',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/setup/local-stack.global.ts'],
          setupFiles: ['tests/setup/local-stack.env.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // One shared stack: files run one after another so counts they read stay theirs.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          // Browser checks poll page text; Vitest 5 fails a poll whose callback has not
          // settled by the timeout (1 s by default), and Playwright waits up to 10 s for an
          // element (browser.ts), so a busy machine would fail what is only slow.
          expect: { poll: { timeout: 10_000 } },
          globalSetup: ['tests/setup/local-stack.global.ts'],
          setupFiles: ['tests/setup/local-stack.env.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
