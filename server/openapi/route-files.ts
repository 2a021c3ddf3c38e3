/**
 * The routes Nitro serves from files, and their addresses as Nitro derives them:
 * `server/api/events/[uid]/invites.post.ts` → POST /api/events/{uid}/invites. Read at build
 * time to generate the module that gathers every route's `operation` (nuxt.config.ts), and
 * by tests. Plain Node: runs in the Nuxt config, outside Nitro.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { HTTP_METHODS, type HttpMethod } from '../../shared/schemas/api.ts'

export interface RouteFile {
  /** Relative to the project root, with `/`. */
  file: string
  method: HttpMethod
  /** In OpenAPI's form: `{uid}` for `[uid]`. */
  path: string
}

/** The folders Nitro serves and the address each starts at. */
const ROUTE_ROOTS = [
  { folder: 'server/api', prefix: '/api' },
  { folder: 'server/routes', prefix: '' },
]

const FILE = new RegExp(`^(.+?)\\.(${HTTP_METHODS.join('|')})\\.ts$`)

export function routeFiles(root: string): RouteFile[] {
  const found: RouteFile[] = []
  const visit = (folder: string, prefix: string) => {
    for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const segment = entry.name.replace(/\[(\w+)\]/g, '{$1}')
      const file = `${folder}/${entry.name}`
      if (entry.isDirectory()) {
        visit(file, `${prefix}/${segment}`)
        continue
      }
      if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue
      const match = FILE.exec(segment)
      // Every route says its method, so the document (and a reader) knows what it answers.
      if (!match) throw new Error(`${file}: a route file is named <path>.<method>.ts (one of ${HTTP_METHODS.join(', ')}).`)
      const [, name, method] = match
      found.push({ file, method: method as HttpMethod, path: name === 'index' ? prefix || '/' : `${prefix}/${name}` })
    }
  }
  for (const { folder, prefix } of ROUTE_ROOTS) visit(folder, prefix)
  return found
}

/**
 * The module `#api-operations`: every route file's `operation` with its method and path. A
 * function, read when asked: the OpenAPI route is among the files it imports, and its own
 * operation is not yet defined while the modules load.
 */
export function apiOperationsModule(root: string): string {
  const routes = routeFiles(root)
  const imports = routes.map((route, index) => `import { operation as operation${index} } from ${JSON.stringify(path.join(root, route.file))}`)
  const entries = routes.map((route, index) => `  { method: ${JSON.stringify(route.method)}, path: ${JSON.stringify(route.path)}, file: ${JSON.stringify(route.file)}, operation: operation${index} },`)
  return `${imports.join('\n')}\nexport const routeOperations = () => [\n${entries.join('\n')}\n]\n`
}
