/**
 * The language of the mail templates, the part of Mustache a deployer most likely knows:
 *   {{name}}               the value of that name
 *   {{#name}}…{{/name}}    what it encloses, only when the value is not empty
 *   {{^name}}…{{/name}}    what it encloses, only when the value is empty
 * A line holding nothing but one section tag disappears with its line break, so sections
 * can stand on lines of their own. Nothing else is special.
 *
 * A template is compiled once, against the names its mail fills: an unknown name, a section
 * left open or closed twice, or a `{{` that starts no tag is an error naming it. Values go
 * into a plain-text body as they are; into an HTML body escaped (`htmlValues`), so what an
 * organizer wrote, `<script>` in a title, reads as text; into a subject as one line.
 */
import { oneLine } from '../invite/message-text'

export type TemplateNode = string | { placeholder: string } | { section: string; shownWhen: 'filled' | 'empty'; body: TemplateNode[] }
export type CompiledTemplate = readonly TemplateNode[]

/** A template that cannot be used; the message says where in it and why. */
export class TemplateError extends Error {
  override name = 'TemplateError'
}

const TAG = /\{\{([#^/]?)(\w+)\}\}/g
const STANDALONE_SECTION_TAG = /^[ \t]*(\{\{[#^/]\w+\}\})[ \t]*(?:\n|$)/gm

/**
 * The template `text` as nodes. `name` is the mail's, `placeholders` the names it fills
 * (in the order the error lists them).
 */
export function compileTemplate(text: string, name: string, placeholders: readonly string[]): CompiledTemplate {
  const known = new Set(placeholders)
  const source = text.replace(/\r\n?/g, '\n').replace(STANDALONE_SECTION_TAG, '$1')
  const root: TemplateNode[] = []
  const open: { section: string; body: TemplateNode[] }[] = []
  let body = root
  let at = 0
  if (source.includes('{{{')) throw new TemplateError('{{{name}}} is not supported: values always go in escaped in HTML; write {{name}}.')
  const literal = (piece: string) => {
    const stray = /\{\{[^\n]*?(?:\}\}|$)/m.exec(piece)
    if (stray) throw new TemplateError(`${stray[0].slice(0, 40)} is no placeholder; write {{name}} with a name "${name}" fills: ${list(placeholders)}.`)
    if (piece) body.push(piece)
  }
  for (const match of source.matchAll(TAG)) {
    literal(source.slice(at, match.index))
    at = match.index + match[0].length
    const [, kind, placeholder] = match as unknown as [string, '' | '#' | '^' | '/', string]
    if (!known.has(placeholder)) throw new TemplateError(`unknown placeholder {{${placeholder}}}; "${name}" fills ${list(placeholders)}.`)
    if (kind === '') body.push({ placeholder })
    else if (kind === '/') {
      const closing = open.pop()
      if (closing?.section !== placeholder) throw new TemplateError(`{{/${placeholder}}} closes no {{#${placeholder}}} or {{^${placeholder}}}.`)
      body = open.at(-1)?.body ?? root
    } else {
      const section = { section: placeholder, shownWhen: kind === '#' ? ('filled' as const) : ('empty' as const), body: [] }
      body.push(section)
      open.push(section)
      body = section.body
    }
  }
  literal(source.slice(at))
  if (open.length) throw new TemplateError(`{{#${open.at(-1)!.section}}} is never closed with {{/${open.at(-1)!.section}}}.`)
  return root
}

const list = (placeholders: readonly string[]) => placeholders.map((p) => `{{${p}}}`).join(', ')

/** The template filled in: a name without a value counts as empty. `each` prepares a value as it is put in. */
export function renderTemplate(template: CompiledTemplate, values: Readonly<Record<string, string>>, each: (value: string) => string = (value) => value): string {
  let out = ''
  for (const node of template) {
    if (typeof node === 'string') out += node
    else if ('placeholder' in node) out += each(values[node.placeholder] ?? '')
    else if (Boolean(values[node.section]) === (node.shownWhen === 'filled')) out += renderTemplate(node.body, values, each)
  }
  return out
}

const SUBJECT_MAX = 250
const SUBJECT_VALUE_MAX = 200

/** A subject: one line (no CR, LF or other control character), each value and the whole of it of bounded length. */
export function renderSubject(template: CompiledTemplate, values: Readonly<Record<string, string>>): string {
  return oneLine(renderTemplate(template, values, (value) => oneLine(value, SUBJECT_VALUE_MAX)), SUBJECT_MAX)
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/** Values for an HTML template: escaped, so they read as text in an element or a quoted attribute, line breaks as <br>. */
export function htmlValues<K extends string>(values: Readonly<Record<K, string>>): Record<K, string> {
  const escaped = {} as Record<K, string>
  for (const key in values) escaped[key] = escapeHtml(values[key]).replace(/\n/g, '<br>\n')
  return escaped
}
