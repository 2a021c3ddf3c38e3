/**
 * The texts of the mail the server writes to people. Edit freely: `{{name}}` is replaced
 * by the value of that name (plain text; no HTML is ever built from these). `{{warnings}}`
 * is empty, or a paragraph listing what the server could not be sure of in the message.
 * The first line of each template is its subject.
 */
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

/** Renders a template: `{{name}}` from `values`, CR/LF in values flattened to spaces in the subject. */
export function renderMailTemplate(name: MailTemplateName, values: Record<string, string>): { subject: string; text: string } {
  const fill = (text: string, flatten: boolean) =>
    text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      const value = values[key] ?? ''
      return flatten ? value.replace(/[\r\n]+/g, ' ') : value
    })
  const [subjectLine, ...body] = mailTemplates[name].split('\n')
  return { subject: fill(subjectLine!, true).trim(), text: fill(body.join('\n'), false) }
}
