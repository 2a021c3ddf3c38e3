/**
 * The shared real-world corpus (../shared/corpus beside the repo), read in place, never
 * copied. Where it is absent, tests that need it skip and say why.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'

export const repoRoot = fileURLToPath(new URL('..', import.meta.url))
export const corpusDir = process.env.CIS_CORPUS_DIR ?? resolve(repoRoot, '../shared/corpus')
export const hasCorpus = existsSync(resolve(corpusDir, 'MANIFEST.md'))
if (!hasCorpus) console.warn(`[corpus] ${corpusDir} not found: tests that read the real-world corpus are skipped.`)

export const corpusPath = (name: string) => resolve(corpusDir, name)
export const corpusFile = (name: string) => readFileSync(corpusPath(name))
export const corpusFiles = (folder: 'eml' | 'ics') => (hasCorpus ? readdirSync(resolve(corpusDir, folder)).sort() : [])
export const fixturePath = (name: string) => resolve(repoRoot, 'tests/fixtures', name)
