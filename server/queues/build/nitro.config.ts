/**
 * Separate Nitro builds for the queue handlers, one per Lambda function: `npm run
 * build:queues` builds each (CIS_QUEUE_BUNDLE names one) into
 * `.output-queues/<bundle>/server/index.mjs` exporting `handler`, zipped and deployed as its
 * own function (infra/template.yaml: InboundCodeKey, SendCodeKey). Nitro bundles and traces
 * the dependencies exactly as for the web server.
 */
import { fileURLToPath } from 'node:url'
import { defineNitroConfig } from 'nitropack/config'
import { nodeBuildTarget } from '../../../infra/node-runtime'
import { nodeHttpImport } from './node-http-import'
import { sdkEsModules } from './sdk-es-modules'

const root = fileURLToPath(new URL('../../..', import.meta.url))

const BUNDLES = { 'inbound-mail': '../inbound-mail.lambda.ts', send: '../send.lambda.ts' } as const
const bundle = (process.env.CIS_QUEUE_BUNDLE ?? 'inbound-mail') as keyof typeof BUNDLES
if (!(bundle in BUNDLES)) throw new Error(`CIS_QUEUE_BUNDLE must be one of ${Object.keys(BUNDLES).join(', ')}.`)

export default defineNitroConfig({
  rootDir: root,
  compatibilityDate: '2026-11-01',
  srcDir: fileURLToPath(new URL('./empty', import.meta.url)),
  preset: 'aws-lambda',
  entry: fileURLToPath(new URL(BUNDLES[bundle], import.meta.url)),
  output: { dir: `${root}/.output-queues/${bundle}` },
  esbuild: { options: { target: nodeBuildTarget } },
  minify: true,
  externals: {
    inline: ['dynamodb-toolbox', '@aws-sdk/', '@smithy/', '@aws/', '@aws-lambda-powertools/', 'zod', 'tldts', 'postal-mime', 'ical.js', 'mnemonist', 'obliterator', 'bowser', 'nodemailer', 'ical-generator', 'lru-cache'],
  },
  sourceMap: false,
  rollupConfig: { plugins: [nodeHttpImport(), sdkEsModules()] },
  serveStatic: false,
  scanDirs: [],
  imports: false,
  noPublicDir: true,
})
