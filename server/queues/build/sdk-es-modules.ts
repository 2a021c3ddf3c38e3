/**
 * A Rollup plugin for the Lambda bundles (lambda-bundle.ts): the AWS SDK's packages that have no
 * `exports` map (each client, the credential providers, the HTTP handler) are bundled from
 * their ES module build (package.json `module`, `dist-es/`) rather than their CommonJS one
 * (`main`, the only field Nitro's resolver reads). The CommonJS build is one file per package
 * holding every command and shape: S3's alone is ~220 kB, all compiled at each cold start.
 * The ES modules are per command, so the bundle keeps only the commands this code sends.
 * Both builds are the SDK's own for Node (the `browser` field is not applied).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Plugin } from 'rollup'

const SDK_SCOPES = ['@aws-sdk/', '@smithy/', '@aws/']

/** The package a bare import names (`@scope/name`), if it is the SDK's and names no subpath. */
function sdkPackage(id: string): string | null {
  if (!SDK_SCOPES.some((scope) => id.startsWith(scope))) return null
  return id.split('/').length === 2 ? id : null
}

export function sdkEsModules(): Plugin {
  const entries = new Map<string, string | null>()
  return {
    name: 'cis:sdk-es-modules',
    resolveId(id, importer) {
      const name = sdkPackage(id)
      if (!name || !importer) return null
      const key = `${name}\0${path.dirname(importer)}`
      if (!entries.has(key)) {
        let entry: string | null = null
        try {
          const manifestPath = createRequire(importer).resolve(`${name}/package.json`)
          const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { module?: string; exports?: unknown }
          if (manifest.module && manifest.exports === undefined) entry = path.join(path.dirname(manifestPath), manifest.module)
        } catch {
          // A package whose `exports` map hides package.json: Nitro's resolver takes it.
        }
        entries.set(key, entry)
      }
      return entries.get(key) ?? null
    },
  }
}
