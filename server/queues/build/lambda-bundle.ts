/**
 * How the Lambda functions' code is bundled, shared by the queue functions' Nitro builds
 * (nitro.config.ts here) and the web function's (nuxt.config.ts): what a cold start pays
 * for is the code Node must read, compile and run before the first answer.
 *
 * - The ES module dependencies are bundled (Nitro's default leaves each package in
 *   node_modules as its own files): one file, tree-shaken to what this code uses, instead of
 *   hundreds of modules Node resolves and compiles one by one (dynamodb-toolbox alone is
 *   ~400 files and took ~200 ms to import).
 * - Minified: less to read and to parse. Stack traces then name minified functions, with
 *   positions in the bundle; the messages and the log's keys are unchanged.
 * - The Rollup plugins (each file says why): the AWS SDK from its ES module build
 *   (sdk-es-modules.ts), node:http without Node's ES module wrapper (node-http-import.ts),
 *   and, for the web function, Vue's production build (vue-es-modules.ts).
 *
 * Left in node_modules (traced by Nitro, as before): papaparse, whose source Nitro's
 * `typeof window` replacement breaks when bundled; CommonJS packages in general.
 */
import type { NitroConfig } from 'nitropack/types'
import type { Plugin } from 'rollup'
import { nodeHttpImport } from './node-http-import'
import { sdkEsModules } from './sdk-es-modules'

/** Package names (or prefixes) bundled into the functions' code rather than traced. */
export const BUNDLED_PACKAGES = [
  '@aws-sdk/',
  '@smithy/',
  '@aws/',
  '@aws-lambda-powertools/',
  'dynamodb-toolbox',
  'zod',
  'tldts',
  'postal-mime',
  'ical.js',
  'ical-generator',
  'nodemailer',
  'lru-cache',
  'mnemonist',
  'obliterator',
  'bowser',
]

/** The web function's packages on top of those: Vue and every package that imports it (one copy of Vue). */
export const WEB_BUNDLED_PACKAGES = ['vue', '@vue/', 'vue-router', 'pinia', 'unhead', '@unhead/', 'vue-bundle-renderer', 'devalue', 'hookable', 'ufo', 'nostics', 'object-identity', 'fnv1a-64']

/**
 * Rollup's notices about bundled packages' own source that change nothing in the bundle:
 * dynamodb-toolbox's compiled TypeScript helpers test `this` at the top of each module, and
 * zod places `@__PURE__` comments where Rollup ignores them. Dozens per build, they hid the
 * notices that matter.
 */
function quietBundledSources(): Plugin {
  return {
    name: 'cis:quiet-bundled-sources',
    onLog(_level, log) {
      if (log.code === 'THIS_IS_UNDEFINED' && log.id?.includes('/node_modules/dynamodb-toolbox/')) return false
      if (log.code === 'INVALID_ANNOTATION' && log.id?.includes('/node_modules/zod/')) return false
    },
  }
}

export function lambdaBundle(extra: { packages?: string[]; plugins?: Plugin[] } = {}) {
  return {
    minify: true,
    externals: { inline: [...BUNDLED_PACKAGES, ...(extra.packages ?? [])] },
    rollupConfig: { plugins: [nodeHttpImport(), sdkEsModules(), ...(extra.plugins ?? []), quietBundledSources()] },
  } satisfies NitroConfig
}
