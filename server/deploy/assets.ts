/**
 * The web function's static files as they are uploaded: the aws-lambda preset serves none of
 * `.output/public` (the `/_nuxt/*` bundles and the files of public/), so `npm run build:aws`
 * copies it as it is into `assets/`, one file per URL path. The e2e test of the built web
 * function checks every file its pages reference with the same mapping.
 */
import { cp, readdir, stat } from 'node:fs/promises'
import path from 'node:path'

export interface AssetFile {
  /** The URL path the file is served at, e.g. `/_nuxt/entry.abc.js`. */
  urlPath: string
  bytes: number
}

/** The file under `assetsDir` that serves `urlPath` (query and fragment ignored). */
export function assetFileFor(assetsDir: string, urlPath: string): string {
  const pathname = decodeURIComponent(new URL(urlPath, 'https://assets.invalid').pathname)
  return path.join(assetsDir, ...pathname.split('/').filter(Boolean))
}

/** Copies the build's public folder (`.output/public`) to `assetsDir` and lists what it holds. */
export async function copyAssets(publicDir: string, assetsDir: string): Promise<AssetFile[]> {
  await cp(publicDir, assetsDir, { recursive: true })
  return listAssets(assetsDir)
}

/** The files under `assetsDir`, by URL path, sorted. */
export async function listAssets(assetsDir: string): Promise<AssetFile[]> {
  const names = await readdir(assetsDir, { recursive: true })
  const files: AssetFile[] = []
  for (const name of names.sort()) {
    const info = await stat(path.join(assetsDir, name))
    if (info.isFile()) files.push({ urlPath: '/' + name.split(path.sep).join('/'), bytes: info.size })
  }
  return files
}
