// Nuxt 4 app (SSR) built by Nitro for AWS Lambda. Local development runs the same server
// against embedded stand-ins for DynamoDB, S3, SQS and SES (see server/local/).
import { nodeBuildTarget } from './infra/node-runtime'

export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  modules: ['@nuxtjs/tailwindcss', '@pinia/nuxt', 'nuxt-auth-utils'],
  devtools: { enabled: false },
  telemetry: false,
  // Server-side configuration is read from the environment by server/config.ts so the
  // queue handlers and the `cis` command line (which run outside Nitro) share it.
  runtimeConfig: {
    // The sealed sign-in cookie (nuxt-auth-utils). Its password is derived from CIS_SECRET when
    // the server starts, never baked into a build, and `secure` follows CIS_SITE_URL
    // (sessionSettings in server/services/sign-in.ts).
    session: {
      password: '',
      maxAge: 7 * 24 * 60 * 60,
      cookie: { httpOnly: true, sameSite: 'lax' },
    },
    public: {
      appName: 'Calendar Invite Server',
    },
  },
  nitro: {
    // Nitro's default (es2019) would down-level server code the Lambda runtime runs as is.
    esbuild: { options: { target: nodeBuildTarget } },
  },
  vite: {
    $server: { build: { target: nodeBuildTarget } },
  },
  typescript: { strict: true },
})
