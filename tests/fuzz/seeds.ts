/**
 * What the fuzzer mutates: the shared corpus's messages and calendars (read in place), and
 * every .eml, .ics and .csv under tests/fixtures. Sorted by path, so a seed number names the
 * same inputs wherever the same files are.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { corpusDir, hasCorpus, repoRoot } from '../corpus'

export type InputKind = 'mail' | 'calendar' | 'list'

export interface SeedFile {
  /** Where it was read from, relative to the repository (the corpus: `corpus/…`). */
  name: string
  kind: InputKind
  bytes: Uint8Array
}

const KIND_OF_EXTENSION: Record<string, InputKind> = { eml: 'mail', ics: 'calendar', csv: 'list' }

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return []
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

function seedsUnder(folder: string, label: (path: string) => string): SeedFile[] {
  return filesUnder(folder)
    .map((path) => ({ path, kind: KIND_OF_EXTENSION[path.split('.').pop()!.toLowerCase()] }))
    .filter((file): file is { path: string; kind: InputKind } => file.kind !== undefined)
    .map(({ path, kind }) => ({ name: label(path), kind, bytes: new Uint8Array(readFileSync(path)) }))
}

export interface Seeds {
  files: SeedFile[]
  /** One line saying where they came from. */
  origin: string
}

export function loadSeeds(): Seeds {
  const fixtures = seedsUnder(resolve(repoRoot, 'tests/fixtures'), (path) => relative(repoRoot, path))
  const corpus = hasCorpus ? seedsUnder(corpusDir, (path) => `corpus/${relative(corpusDir, path)}`) : []
  const files = [...corpus, ...fixtures].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const count = (kind: InputKind) => files.filter((file) => file.kind === kind).length
  const where = hasCorpus ? `the corpus at ${corpusDir} and tests/fixtures` : `tests/fixtures only (no corpus at ${corpusDir})`
  return { files, origin: `${files.length} seed files from ${where}: ${count('mail')} mail, ${count('calendar')} calendars, ${count('list')} lists` }
}
