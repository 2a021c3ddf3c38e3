/**
 * The texts of the mail the server writes to people, as shipped. Edit freely: `{{name}}` is
 * replaced by the value of that name (plain text; no HTML is ever built from these).
 * `{{warnings}}` is empty, or a paragraph listing what the server could not be sure of in
 * the message. The first line of each template is its subject.
 *
 * A deployer replaces any of them without a build: a folder named by CIS_TEMPLATES_DIR
 * (on Lambda, a layer's folder under /opt) holding `<name>.txt` files, read when the server
 * starts. A file whose name is no template, or that names a placeholder its template does
 * not have, stops the start with the file and the name.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
export const mailTemplates = {
  eventCreated: `Your event "{{summary}}" is now managed by Calendar Invite Server
Hello {{organizerName}},

The invitation you sent to {{mailbox}} created the event "{{summary}}" ({{start}}).
{{warnings}}
See its attendees and replies, and send invitations, in your dashboard:
{{eventUrl}}

Later changes you make in your calendar reach the server the same way, as long as
{{mailbox}} stays on the guest list.
`,

  eventUpdated: `Your event "{{summary}}" was updated
Hello {{organizerName}},

The update you sent for "{{summary}}" was applied: {{reason}}
{{warnings}}
{{eventUrl}}
`,

  messageNotProcessed: `We could not process your message "{{subject}}"
Hello,

Calendar Invite Server received your message "{{subject}}" at {{mailbox}} but could not act on it:

{{reason}}

Nothing was changed. If you think this is a mistake, reply to this message or ask the
server's operator, quoting this reference: {{reference}}
`,

  signInLink: `Your sign-in link for Calendar Invite Server
Hello,

Open this link to sign in to your dashboard at {{siteUrl}}:

{{link}}

It works once, within {{minutes}} minutes. If you did not ask to sign in, ignore this
message: nothing happens without the link.
`,
} as const

export type MailTemplateName = keyof typeof mailTemplates

const PLACEHOLDER = /\{\{(\w+)\}\}/g
const placeholdersOf = (text: string) => new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))

/**
 * The templates in use: the shipped ones, with those `folder` holds in their place. Throws,
 * with the file and the name, on a file that is no template or that uses a placeholder its
 * template does not fill.
 */
export function loadMailTemplates(folder: string | null): Record<MailTemplateName, string> {
  const loaded: Record<MailTemplateName, string> = { ...mailTemplates }
  if (!folder) return loaded
  if (!existsSync(folder)) throw new Error(`CIS_TEMPLATES_DIR ${folder} does not exist.`)
  const names = Object.keys(mailTemplates) as MailTemplateName[]
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.txt')).sort()) {
    const name = file.slice(0, -'.txt'.length) as MailTemplateName
    const path = join(folder, file)
    if (!names.includes(name)) throw new Error(`${path}: there is no mail template "${name}"; the templates are ${names.join(', ')}.`)
    const text = readFileSync(path, 'utf8').replace(/\r\n/g, '\n')
    const allowed = placeholdersOf(mailTemplates[name])
    for (const used of placeholdersOf(text)) {
      if (!allowed.has(used)) throw new Error(`${path}: unknown placeholder {{${used}}}; "${name}" fills ${[...allowed].map((p) => `{{${p}}}`).join(', ')}.`)
    }
    loaded[name] = text
  }
  return loaded
}

let inUse: { folder: string | null; templates: Record<MailTemplateName, string> } | undefined

/** The templates for `folder`, loaded (and checked) once; call at start so a bad file stops it. */
export function useMailTemplates(folder: string | null): Record<MailTemplateName, string> {
  if (!inUse || inUse.folder !== folder) inUse = { folder, templates: loadMailTemplates(folder) }
  return inUse.templates
}

/** Renders a template: `{{name}}` from `values`, CR/LF in values flattened to spaces in the subject. */
export function renderMailTemplate(
  name: MailTemplateName,
  values: Record<string, string>,
  templates: Record<MailTemplateName, string> = mailTemplates,
): { subject: string; text: string } {
  const fill = (text: string, flatten: boolean) =>
    text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      const value = values[key] ?? ''
      return flatten ? value.replace(/[\r\n]+/g, ' ') : value
    })
  const [subjectLine, ...body] = templates[name].split('\n')
  return { subject: fill(subjectLine!, true).trim(), text: fill(body.join('\n'), false) }
}
