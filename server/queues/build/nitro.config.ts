/**
 * Separate Nitro builds for the queue handlers, one per Lambda function: `npm run
 * build:queues` builds each (CIS_QUEUE_BUNDLE names one) into
 * `.output-queues/<bundle>/server/index.mjs` exporting `handler`, zipped and deployed as its
 * own function (infra/template.yaml: InboundCodeKey, SendCodeKey). The dependencies are
 * bundled as for the web server (lambda-bundle.ts).
 */
import { fileURLToPath } from 'node:url'
import { defineNitroConfig } from 'nitropack/config'
import { nodeBuildTarget } from '../../../infra/node-runtime'
import { lambdaBundle } from './lambda-bundle'

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
  ...lambdaBundle(),
  sourceMap: false,
  serveStatic: false,
  scanDirs: [],
  imports: false,
  noPublicDir: true,
})
