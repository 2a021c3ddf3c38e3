/**
 * One sentence for the first problem zod found, the same wording in the API's 400s and in
 * the dashboard's forms (which check with the same schemas before sending). People read it,
 * so it never shows a field path (`domains.0:`): a schema's own message is a sentence that
 * says what is wanted and is given as it is; zod's built-in ones ("Invalid input: expected
 * string, received undefined") are not, and get the field named in words.
 */
import type { z } from 'zod'

export function sentenceOf(error: z.ZodError): string {
  const issue = error.issues[0]!
  const said = issue.message.trim()
  if (/[.!?]$/.test(said)) return said
  const field = fieldWords(issue.path)
  const detail = said ? said[0]!.toLowerCase() + said.slice(1) : 'not valid'
  return field ? `${field[0]!.toUpperCase()}${field.slice(1)} is not valid (${detail}).` : `${said || 'The input is not valid'}.`
}

/** A path in words: `['dailyLimit']` is "the daily limit", `['domains', 1]` "the domains item 2". */
function fieldWords(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `item ${part + 1}` : String(part).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()))
    .join(', ')
    .replace(/, item/g, ' item')
    .replace(/^(?=.)/, 'the ')
}

/** A form's input checked with an API schema: the parsed value, or the sentence the API would answer. */
export function checkInput<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.infer<S> } | { ok: false; sentence: string } {
  const parsed = schema.safeParse(value)
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, sentence: sentenceOf(parsed.error) }
}
