/**
 * A Rollup plugin for the web function's bundle (lambda-bundle.ts): Vue's packages are
 * bundled from their `esm-bundler` builds, whose development-only code is dropped once
 * `process.env.NODE_ENV` is replaced (Nitro replaces it with "production"), and `vue` from
 * its runtime-only build (templates are compiled by Vite at build time).
 * Left to Node, `vue` resolves to a CommonJS file that picks Vue's development build unless
 * NODE_ENV=production is set, which Lambda does not: the web function then loaded the
 * development build and Vue's template compiler (~120 ms) on its first page, and rendered
 * with development checks on.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Plugin } from 'rollup'

const require = createRequire(import.meta.url)

/** The file a bare import of one of Vue's packages is bundled from, if it is one. */
function vueEntry(id: string): string | null {
  if (id === 'vue') return path.join(path.dirname(require.resolve('vue/package.json')), 'dist/vue.runtime.esm-bundler.js')
  const name = id === 'vue/server-renderer' ? 'server-renderer' : /^@vue\/([a-z-]+)$/.exec(id)?.[1]
  if (!name) return null
  let manifestPath: string
  try {
    manifestPath = require.resolve(`@vue/${name}/package.json`)
  } catch {
    return null
  }
  const entry = path.join(path.dirname(manifestPath), `dist/${name}.esm-bundler.js`)
  return existsSync(entry) ? entry : null
}

export function vueEsModules(): Plugin {
  return {
    name: 'cis:vue-es-modules',
    resolveId(id) {
      return vueEntry(id)
    },
  }
}
