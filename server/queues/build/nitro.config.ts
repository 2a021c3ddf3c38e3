/**
 * A separate Nitro build for the inbound mail queue handler: `npm run build:queues` →
 * `.output-queues/inbound-mail/server/index.mjs` exporting `handler`, zipped and deployed as
 * its own Lambda function (infra/template.yaml, InboundCodeKey). Nitro bundles and traces the
 * dependencies exactly as for the web server.
 */
import { fileURLToPath } from 'node:url'
import { defineNitroConfig } from 'nitropack/config'

const root = fileURLToPath(new URL('../../..', import.meta.url))

export default defineNitroConfig({
  rootDir: root,
  compatibilityDate: '2026-11-01',
  srcDir: fileURLToPath(new URL('./empty', import.meta.url)),
  preset: 'aws-lambda',
  entry: fileURLToPath(new URL('../inbound-mail.lambda.ts', import.meta.url)),
  output: { dir: `${root}/.output-queues/inbound-mail` },
  // See PLATFORM.md: without it the tracer copies the wrong temporal-polyfill file (node-ical).
  exportConditions: ['module-sync'],
  minify: false,
  sourceMap: false,
  serveStatic: false,
  scanDirs: [],
  imports: false,
  noPublicDir: true,
})
