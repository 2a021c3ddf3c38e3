// Nuxt 4 app (SSR) built by Nitro for AWS Lambda. Local development runs the same server
// against embedded stand-ins for DynamoDB, S3, SQS and SES (see server/local/).
export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  modules: ['@nuxtjs/tailwindcss', '@pinia/nuxt'],
  devtools: { enabled: false },
  telemetry: false,
  // Server-side configuration is read from the environment by server/config.ts so the
  // queue handlers and the `cis` command line (which run outside Nitro) share it.
  runtimeConfig: {
    public: {
      appName: 'Calendar Invite Server',
    },
  },
  nitro: {
    // Without 'module-sync' Nitro's tracer copies the wrong temporal-polyfill file (node-ical).
    exportConditions: ['module-sync'],
  },
  typescript: { strict: true },
})
