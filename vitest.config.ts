import { defineConfig } from 'vitest/config'

// Three projects: `unit` (plain node, no services), `integration` (the real local servers,
// started once per run by the global setup on free ports) and `e2e` (the built Nuxt app
// served against the same local servers).
export default defineConfig({
  test: {
    // The AWS SDK's notice that its 2027 releases need Node 22 says nothing about this code.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
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
