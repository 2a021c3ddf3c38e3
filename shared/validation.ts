/**
 * One sentence for the first problem zod found, the same wording in the API's 400s and in
 * the dashboard's forms (which check with the same schemas before sending).
 */
import type { z } from 'zod'

export function sentenceOf(error: z.ZodError): string {
  const issue = error.issues[0]!
  const where = issue.path.length ? `${issue.path.join('.')}: ` : ''
  const message = issue.message.endsWith('.') ? issue.message : `${issue.message}.`
  return `${where}${message}`
}

/** A form's input checked with an API schema: the parsed value, or the sentence the API would answer. */
export function checkInput<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.infer<S> } | { ok: false; sentence: string } {
  const parsed = schema.safeParse(value)
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, sentence: sentenceOf(parsed.error) }
}
