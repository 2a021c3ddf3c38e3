// Nuxt 4 app (SSR) built by Nitro for AWS Lambda. Local development runs the same server
// against embedded stand-ins for DynamoDB, S3, SQS and SES (see server/local/).
import { fileURLToPath } from 'node:url'
import { nodeBuildTarget } from './infra/node-runtime'
import { apiOperationsModule } from './server/openapi/route-files'
import { lambdaBundle, WEB_BUNDLED_PACKAGES } from './server/queues/build/lambda-bundle'
import { vueEsModules } from './server/queues/build/vue-es-modules'

const rootDir = fileURLToPath(new URL('.', import.meta.url))

export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  modules: ['@nuxtjs/tailwindcss', '@pinia/nuxt', 'nuxt-auth-utils', 'nuxt-security'],
  devtools: { enabled: false },
  // public/ holds the files served as they are: the icon, robots.txt and embed.js (the embeddable button).
  app: { head: { link: [{ rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }] } },
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
    // Every route file's `operation`, for the OpenAPI document (server/openapi/): generated
    // from the files, so a new route is documented by being written, and one without an
    // operation fails the build.
    virtual: { '#api-operations': () => apiOperationsModule(rootDir) },
  },
  vite: {
    $server: { build: { target: nodeBuildTarget } },
  },
  typescript: { strict: true },
  // Response headers (nuxt-security): a per-request nonce on every script Nuxt renders, and a
  // policy that allows no other script. What depends on the run time (HSTS on an https
  // CIS_SITE_URL, no-store for callers with credentials) is set by
  // server/middleware/01.security-headers.ts, and the mail bucket's origin (the dashboard
  // uploads list files there) is added to `connect-src` by server/plugins/csp-upload-origin.ts;
  // bodies are capped by 02.body-limit.ts.
  security: {
    headers: {
      contentSecurityPolicy: {
        'default-src': ["'self'"],
        'base-uri': ["'none'"],
        'object-src': ["'none'"],
        'form-action': ["'self'"],
        // No page may be framed yet; embed routes will say otherwise for themselves.
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        // Scripts: only those carrying this response's nonce, and what they load.
        'script-src': ["'self'", "'strict-dynamic'", "'nonce-{{nonce}}'"],
        'script-src-attr': ["'none'"],
        // Rendered `style` attributes (the answer chart's bars) need inline styles.
        'style-src': ["'self'", "'unsafe-inline'"],
        // Every asset is same-origin; over https the browser has HSTS already.
        'upgrade-insecure-requests': false,
      },
      xFrameOptions: 'DENY',
      referrerPolicy: 'strict-origin-when-cross-origin',
      xContentTypeOptions: 'nosniff',
      // Set at run time, from CIS_SITE_URL (this configuration is read at build time).
      strictTransportSecurity: false,
      // No cross-origin isolation is needed, and it would strip credentials from cross-origin assets.
      crossOriginEmbedderPolicy: false,
    },
    // The project's own: sign-in limits (server/services/sign-in.ts) and the 1 MB body cap,
    // which also bounds bodies sent without Content-Length.
    rateLimiter: false,
    requestSizeLimiter: false,
    // Same-origin dashboard; API tokens are for servers, which need no CORS.
    corsHandler: false,
    // Input is validated by zod at each route and every output is escaped; this would refuse
    // legitimate text (an event named "<b>party</b>").
    xssValidator: false,
    // Keep console output: the module would drop every console call from the bundles.
    removeLoggers: false,
  },
  hooks: {
    // nuxt-auth-utils' client session plugin reads localStorage unguarded, which throws in a
    // frame on another site that blocks third-party storage (the embed page): it is left out
    // and app/plugins/session.client.ts does the same steps, guarded.
    'app:resolve'(app) {
      app.plugins = app.plugins.filter((plugin) => !/nuxt-auth-utils[\\/]dist[\\/]runtime[\\/]app[\\/]plugins[\\/]session\.client(\.m?js)?$/.test(plugin.src))
    },
  },
  // The embeddable button (issue 15): /embed/* may be framed by any site (the button's dialog
  // frames it); every other page keeps `frame-ancestors 'none'` and X-Frame-Options: DENY.
  // public/embed.js, which other sites' pages load, is a static file: nuxt-security gives those
  // no Cross-Origin-Resource-Policy, so nothing stops them.
  routeRules: {
    '/embed/**': { security: { headers: { contentSecurityPolicy: { 'frame-ancestors': ['*'] }, xFrameOptions: false } } },
  },
  $production: {
    // The built server (the web function) is bundled and minified as the queue functions are,
    // for the same cold start, with Vue's production build (server/queues/build/); `nuxi dev`
    // keeps Nitro's defaults, which rebuild faster and keep readable stack traces.
    nitro: lambdaBundle({ packages: WEB_BUNDLED_PACKAGES, plugins: [vueEsModules()] }),
  },
  $development: {
    // Vite's HMR websocket, on the app's port or on its own (24678).
    security: { headers: { contentSecurityPolicy: { 'connect-src': ["'self'", 'ws:'] } } },
  },
})
