/**
 * A Rollup plugin for the Lambda bundles (lambda-bundle.ts): every
 * `import … from 'node:http'` in bundled code reads Node's own `http` object
 * (`process.getBuiltinModule`) instead of going through Node's ES module wrapper of it.
 * That wrapper copies each of the module's exports when it is first imported, and three of
 * them (`WebSocket`, `CloseEvent`, `MessageEvent`) are getters that load Node's bundled
 * fetch implementation: 20–50 ms of every cold start, for classes no code here uses.
 * The bundle instead takes a snapshot of the other exports when it starts; `http` itself
 * is unchanged (code that assigns `http.globalAgent` still changes Node's). Importing one
 * of the three from `node:http` fails the build ("is not exported"), rather than at run time.
 */
import http from 'node:http'
import type { Plugin } from 'rollup'

const VIRTUAL_ID = '\0cis:node-http'
/** The exports whose getters load the fetch implementation. */
const LOADS_FETCH = new Set(['WebSocket', 'CloseEvent', 'MessageEvent'])

export function nodeHttpImport(): Plugin {
  return {
    name: 'cis:node-http-import',
    resolveId(id) {
      return id === 'node:http' || id === 'http' ? VIRTUAL_ID : null
    },
    load(id) {
      if (id !== VIRTUAL_ID) return null
      const names = Object.getOwnPropertyNames(http).filter((name) => !LOADS_FETCH.has(name) && /^[A-Za-z_$][\w$]*$/.test(name))
      return [
        "const http = process.getBuiltinModule('node:http')",
        'export default http',
        `export const { ${names.join(', ')} } = http`,
      ].join('\n')
    },
  }
}
