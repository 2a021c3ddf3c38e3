/**
 * Checks a parsed template against the CloudFormation resource specification of
 * `@aws-cdk/aws-service-spec`: resource types, properties at every depth (nested property
 * types, lists and maps), required properties, resource attributes, and `Fn::GetAtt` /
 * `Fn::Sub` `${Resource.Attribute}` attributes. A value computed by an intrinsic function is
 * not checked further, except the branches of `Fn::If`, which must each fit.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec'
import type { PropertyType, Resource, ResourceProperties } from '@aws-cdk/service-spec-types'
import { subReferences, type Template } from '../../../infra/cfn-yaml'

export type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>

/** The keys CloudFormation accepts on a resource besides `Type` and `Properties`. */
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'CreationPolicy', 'Metadata'])

/** Loads the specification shipped in the package (a gzipped JSON file, about half a second). */
export const loadSpec = (): SpecDatabase => loadAwsServiceSpecSync()

export function resourceSpec(db: SpecDatabase, type: string): Resource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0]
}

type Json = unknown
const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** `{ Ref: … }` or `{ 'Fn::…': … }`: a value CloudFormation computes. */
const intrinsic = (value: Json): [string, Json] | undefined => {
  if (!isObject(value)) return undefined
  const entries = Object.entries(value)
  if (entries.length !== 1) return undefined
  const [key, arg] = entries[0]!
  return key === 'Ref' || key.startsWith('Fn::') ? [key, arg] : undefined
}
const isNoValue = (value: Json) => isObject(value) && value.Ref === 'AWS::NoValue'

/** The problems of `value` as a `type`, each a sentence naming the template path. */
function problemsOf(db: SpecDatabase, value: Json, type: PropertyType, path: string): string[] {
  const computed = intrinsic(value)
  if (computed) {
    const [key, arg] = computed
    if (key !== 'Fn::If' || !Array.isArray(arg)) return []
    return arg.slice(1).flatMap((branch, index) => (isNoValue(branch) ? [] : problemsOf(db, branch, type, `${path}[If ${index === 0 ? 'true' : 'false'}]`)))
  }
  switch (type.type) {
    case 'json':
      return []
    case 'union': {
      // A union's `json` member stands for the schema's bare `object`: it takes a map, not a list.
      const each = type.types.map((member) => (member.type === 'json' && !isObject(value) ? [`${path} should be a map`] : problemsOf(db, value, member, path)))
      return each.some((found) => found.length === 0) ? [] : each.reduce((a, b) => (a.length <= b.length ? a : b))
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path} should be a list`]
      return value.flatMap((item, index) => problemsOf(db, item, type.element, `${path}[${index}]`))
    case 'map':
      if (!isObject(value)) return [`${path} should be a map`]
      return Object.entries(value).flatMap(([key, item]) => problemsOf(db, item, type.element, `${path}.${key}`))
    case 'tag':
      return isObject(value) ? propertiesProblems(db, value, { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, path) : [`${path} should be a tag`]
    case 'ref':
      if (!isObject(value)) return [`${path} should be a ${db.get('typeDefinition', type.reference).name}`]
      return propertiesProblems(db, value, db.get('typeDefinition', type.reference).properties, path)
    default:
      // string, number, integer, boolean, date-time: CloudFormation turns scalars into each other.
      return isObject(value) || Array.isArray(value) ? [`${path} should be a ${type.type}`] : []
  }
}

function propertiesProblems(db: SpecDatabase, value: Record<string, Json>, properties: ResourceProperties, path: string): string[] {
  const problems: string[] = []
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) problems.push(`${path} lacks the required ${name}`)
  }
  for (const [name, item] of Object.entries(value)) {
    const property = properties[name]
    if (!property) problems.push(`${path}.${name} is not a property`)
    else problems.push(...problemsOf(db, item, property.type, `${path}.${name}`))
  }
  return problems
}

/** The `[resource, attribute]` pairs of every `Fn::GetAtt` and `Fn::Sub` `${Resource.Attribute}`. */
export function attributesIn(value: Json): [string, string][] {
  const found: [string, string][] = []
  const walk = (node: Json) => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (!isObject(node)) return
    const call = intrinsic(node)
    if (call?.[0] === 'Fn::GetAtt' && Array.isArray(call[1]) && typeof call[1][0] === 'string' && typeof call[1][1] === 'string') {
      return void found.push([call[1][0], call[1][1]])
    }
    if (call?.[0] === 'Fn::Sub') {
      const [text, vars] = typeof call[1] === 'string' ? [call[1], {}] : (call[1] as [string, Record<string, Json>])
      for (const ref of subReferences(text)) {
        if (ref.attribute && !(ref.name in (vars ?? {}))) found.push([ref.name, ref.attribute])
      }
      return walk(Object.values(vars ?? {}))
    }
    Object.values(node).forEach(walk)
  }
  walk(value)
  return found
}

/** Every way the template departs from the specification, as sentences; empty when it fits. */
export function specProblems(db: SpecDatabase, template: Template): string[] {
  const problems: string[] = []
  const specs = new Map<string, Resource | undefined>()
  for (const [name, resource] of Object.entries(template.Resources)) {
    // A custom resource's properties are its handler's; CloudFormation itself reads only ServiceToken.
    if (/^Custom::[A-Za-z0-9_@-]{1,60}$/.test(resource.Type)) {
      for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) problems.push(`${name}: ${key} is not a resource attribute`)
      if (resource.Properties?.ServiceToken === undefined) problems.push(`${name} lacks the required ServiceToken`)
      continue
    }
    const spec = resourceSpec(db, resource.Type)
    specs.set(name, spec)
    for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) problems.push(`${name}: ${key} is not a resource attribute`)
    if (!spec) {
      problems.push(`${name}: ${resource.Type} is not a resource type`)
      continue
    }
    problems.push(...propertiesProblems(db, resource.Properties ?? {}, spec.properties, name))
  }
  const everything = { Resources: template.Resources, Outputs: template.Outputs ?? {} }
  for (const [target, attribute] of attributesIn(everything)) {
    const spec = specs.get(target)
    if (spec && !(attribute in spec.attributes)) problems.push(`${target} (${spec.cloudFormationType}) has no attribute ${attribute}`)
  }
  return problems
}
