/**
 * Reads a CloudFormation YAML template into the long form CloudFormation itself uses:
 * `!Ref X` becomes `{ Ref: 'X' }`, `!Sub '…'` becomes `{ 'Fn::Sub': '…' }`, and so on, so
 * tests can compare plain objects.
 */
import { readFileSync } from 'node:fs'
import { parse, YAMLMap, type Tags } from 'yaml'

const FUNCTIONS = [
  'Ref', 'Condition', 'Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or',
  'FindInMap', 'Base64', 'Cidr', 'GetAZs', 'ImportValue', 'Transform', 'Length', 'ToJsonString',
]

const longName = (name: string) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`)

/** CloudFormation splits the short form `!GetAtt Resource.Attribute.Path` at the first dot. */
const getAttOf = (value: string) => {
  const dot = value.indexOf('.')
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)]
}

export const cfnTags: Tags = FUNCTIONS.flatMap((name) => {
  const key = longName(name)
  const wrap = (node: unknown) => {
    const map = new YAMLMap()
    map.set(key, node)
    return map
  }
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: name === 'GetAtt' ? getAttOf(value) : value }) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: wrap },
    { tag: `!${name}`, collection: 'map' as const, resolve: wrap },
  ]
})

export interface Template {
  Parameters?: Record<string, { Type: string; Default?: string; AllowedValues?: string[] }>
  Conditions?: Record<string, unknown>
  Resources: Record<string, { Type: string; DependsOn?: string | string[]; Properties?: any; [key: string]: unknown }>
  Outputs?: Record<string, { Value: unknown; Description?: string }>
}

export function parseTemplate(source: string): Template {
  // Anchors and merge keys are not CloudFormation; a template must not rely on them.
  return parse(source, { customTags: cfnTags, merge: false, prettyErrors: true }) as Template
}

export function readTemplate(path: string | URL): Template {
  return parseTemplate(readFileSync(path, 'utf8'))
}

/** The names a `Fn::Sub` string refers to: `${Name}` and `${Name.Attribute}` (not `${!Literal}`). */
export function subReferences(text: string): { name: string; attribute?: string }[] {
  return [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((match) => {
    const [name, ...rest] = match[1]!.trim().split('.')
    return rest.length ? { name: name!, attribute: rest.join('.') } : { name: name! }
  })
}

export type Reference = { kind: 'Ref' | 'GetAtt' | 'Sub' | 'Condition'; name: string }

/** Every reference to a parameter, resource or condition inside a piece of template. */
export function referencesIn(value: unknown): Reference[] {
  const found: Reference[] = []
  const walk = (node: unknown, locals: Set<string>) => {
    if (Array.isArray(node)) return node.forEach((item) => walk(item, locals))
    if (!node || typeof node !== 'object') return
    const entries = Object.entries(node)
    if (entries.length === 1) {
      const [key, arg] = entries[0]!
      if (key === 'Ref' && typeof arg === 'string') return void found.push({ kind: 'Ref', name: arg })
      if (key === 'Condition' && typeof arg === 'string') return void found.push({ kind: 'Condition', name: arg })
      if (key === 'Fn::GetAtt' && Array.isArray(arg)) return void found.push({ kind: 'GetAtt', name: String(arg[0]) })
      if (key === 'Fn::If' && Array.isArray(arg)) {
        found.push({ kind: 'Condition', name: String(arg[0]) })
        return arg.slice(1).forEach((item) => walk(item, locals))
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>])
        const own = new Set([...locals, ...Object.keys(vars ?? {})])
        for (const ref of subReferences(text)) {
          if (!own.has(ref.name)) found.push({ kind: 'Sub', name: ref.name })
        }
        return walk(Object.values(vars ?? {}), locals)
      }
    }
    for (const [, child] of entries) walk(child, locals)
  }
  walk(value, new Set())
  return found
}
