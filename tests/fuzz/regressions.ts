/**
 * The inputs the fuzzer found bugs with, kept in tests/fixtures/fuzz/ (README.md there):
 * small ones as files, large ones in generated.json as a few parts, each a text written
 * once or repeated, so the repository holds a description rather than megabytes.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { fixturePath } from '../corpus'
import type { FuzzInput } from './mutations'
import type { InputKind } from './seeds'

interface GeneratedInput {
  name: string
  kind: InputKind
  /** What it imitates and the bug it found. */
  about: string
  parts: ({ text: string } | { repeat: string; times: number })[]
}

const KINDS: Record<string, InputKind> = { eml: 'mail', ics: 'calendar', csv: 'list' }
const folder = fixturePath('fuzz')

export function regressionInputs(): { name: string; input: FuzzInput }[] {
  const files = readdirSync(folder)
    .filter((name) => KINDS[name.split('.').pop()!])
    .sort()
    .map((name) => ({ name, input: { kind: KINDS[name.split('.').pop()!]!, source: `tests/fixtures/fuzz/${name}`, mutation: 'regression', bytes: new Uint8Array(readFileSync(resolve(folder, name))) } }))
  const generated = (JSON.parse(readFileSync(resolve(folder, 'generated.json'), 'utf8')) as GeneratedInput[]).map(({ name, kind, parts }) => ({
    name,
    input: {
      kind,
      source: `tests/fixtures/fuzz/generated.json#${name}`,
      mutation: 'regression',
      bytes: new Uint8Array(Buffer.from(parts.map((part) => ('text' in part ? part.text : part.repeat.repeat(part.times))).join(''), 'utf8')),
    },
  }))
  return [...files, ...generated]
}
