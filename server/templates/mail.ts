/**
 * Every mail the server writes comes from a template: `<name>.txt`, whose first line is the
 * subject and the rest the plain-text body, and for the invitation also `invitation.html`,
 * its HTML body (the calendar it carries is no template). The language is that of
 * server/domain/mail/template.ts: `{{name}}`, and sections `{{#name}}…{{/name}}` shown when
 * the value is not empty, `{{^name}}…{{/name}}` when it is. Each mail fills the names
 * listed below; a template that uses any other is refused, with its file and the name.
 *
 * The shipped texts are in shipped.ts. A deployer replaces any of them without a build
 * (in-use.ts): files of these names in a folder (CIS_TEMPLATES_DIR) or under a prefix of
 * the mail bucket (CIS_TEMPLATES_S3_PREFIX), read and checked when the server starts.
 */
import { compileTemplate, htmlValues, renderSubject, renderTemplate, TemplateError, type CompiledTemplate } from '../domain/mail/template'
import { SHIPPED_TEMPLATE_FILES } from './shipped'

/** What the organizer hears when their invitation created or updated an event. */
const EVENT_NOTICE_PLACEHOLDERS = {
  summary: "the event's title",
  organizerName: "the organizer's name, or their address",
  mailbox: 'the server mailbox the invitation was sent to',
  start: 'when the event starts, as stored (ISO 8601)',
  reason: 'what the server did, in a sentence',
  warnings: 'empty, or a paragraph listing what the server could not be sure of in the invitation',
  eventUrl: "the event's page in the dashboard",
} as const

/** The mails, whether they have an HTML body, and the placeholders their templates may use. */
export const MAIL_TEMPLATES = {
  eventCreated: { html: false, placeholders: EVENT_NOTICE_PLACEHOLDERS },
  eventUpdated: { html: false, placeholders: EVENT_NOTICE_PLACEHOLDERS },
  messageNotProcessed: {
    html: false,
    placeholders: {
      subject: 'the subject of the message the server could not act on',
      mailbox: 'the server mailbox it was sent to',
      reason: 'why nothing was changed, in a sentence',
      reference: 'the key of the stored message, for the operator',
    },
  },
  signInLink: {
    html: false,
    placeholders: {
      link: 'the single-use sign-in link',
      minutes: 'how many minutes the link works',
      siteUrl: "the dashboard's address",
    },
  },
  inviteRequestConfirmation: {
    html: false,
    placeholders: {
      summary: "the event's title, or \"(no title)\"",
      when: 'when the event takes place, in its time zone',
      organizerName: "the organizer's name, or their address",
      email: 'the address the invitation would be sent to',
      link: 'the confirmation page, whose button sends the invitation',
      days: 'how many days the link works',
    },
  },
  attendeeReport: {
    html: false,
    placeholders: {
      summary: "the event's title",
      fileName: 'the name of the attached CSV file',
    },
  },
  bulkListStatus: {
    html: true,
    placeholders: {
      subject: 'the subject of the message the lists came in',
      mailbox: 'the bulk mailbox',
      summary: 'the counts in a sentence ("2 lists with 130 rows: 120 invitations queued, 10 rows rejected.")',
      lists: "one line per list: its file name and figures, or why it could not be read",
      rejected: 'the first rejected rows, one line each (file, row number, value, reason), or empty',
      shown: 'how many rejected rows the body shows when there are more, else empty',
      more: 'how many more rejected rows the attachment has ("40 more rows"), or empty',
      attachments: "the names of the attached CSV files (one per list with rejected rows: row, value, reason), or empty when no row was rejected",
      notes: 'the attachments that were not read (not CSV), one line each, or empty',
      reference: 'the key of the stored message, for the operator',
    },
  },
  bulkRefused: {
    html: false,
    placeholders: {
      subject: 'the subject of the message',
      mailbox: 'the bulk mailbox',
      reason: 'why its lists were not read, in a sentence',
      reference: 'the key of the stored message, for the operator',
    },
  },
  invitation: {
    html: true,
    placeholders: {
      invited: '"yes" when this is the first version the attendee receives, else empty',
      updated: '"yes" when the attendee was sent an earlier version, else empty',
      cancelled: '"yes" when the event is cancelled, else empty',
      summary: "the event's title, or \"(no title)\"",
      organizerName: "the organizer's name, or their address",
      when: 'when the event takes place, in its time zone ("Saturday, 1 May 2027 at 18:00 – 20:00 (Europe/Berlin)")',
      repeats: 'how a series repeats ("every week on Monday, 10 times"), or empty',
      exceptions: 'the changed and cancelled occurrences of a series ("1 changed, 2 cancelled (see your calendar)"), or empty',
      where: 'the location, or empty',
      description: "the organizer's description (line breaks kept), or empty",
      details: 'When, Repeats, Exceptions, Where and Organizer lines, labels aligned, as the shipped text body shows them',
      eventPageUrl: "the event's web page, or empty",
      attendeeEmail: "the attendee's address",
      attendeeName: "the attendee's name, or empty",
      unsubscribeUrl: 'the link that stops invitations to this attendee, or empty',
      answerYesUrl: "the attendee's web answer link for Yes (a page with a button that records it), or empty (cancellations)",
      answerMaybeUrl: "the attendee's web answer link for Maybe, or empty",
      answerNoUrl: "the attendee's web answer link for No, or empty",
    },
  },
} as const satisfies Record<string, { html: boolean; placeholders: Record<string, string> }>

export type MailTemplateName = keyof typeof MAIL_TEMPLATES
export type PlaceholderOf<N extends MailTemplateName> = keyof (typeof MAIL_TEMPLATES)[N]['placeholders'] & string

/** An invitation's placeholders that differ between its recipients; the others are the same for one version of the event. */
export type InvitationAttendeePlaceholder = Extract<
  PlaceholderOf<'invitation'>,
  'attendeeEmail' | 'attendeeName' | 'unsubscribeUrl' | 'answerYesUrl' | 'answerMaybeUrl' | 'answerNoUrl'
>
export type InvitationVersionPlaceholder = Exclude<PlaceholderOf<'invitation'>, InvitationAttendeePlaceholder>

/** One mail's templates, compiled. */
export interface MailTemplate {
  subject: CompiledTemplate
  text: CompiledTemplate
  /** Only for the mails that have an HTML body. */
  html: CompiledTemplate | null
}
/** The templates of every mail; those with an HTML body always have it. */
export type MailTemplates = {
  readonly [N in MailTemplateName]: (typeof MAIL_TEMPLATES)[N]['html'] extends true ? MailTemplate & { html: CompiledTemplate } : MailTemplate
}

/** A template file as a deployer provides it: its name (`invitation.html`), where it was found (named in errors), its text. */
export interface TemplateFile {
  fileName: string
  location: string
  text: string
}

/** The files a deployer may provide, in the order they are listed. */
export const TEMPLATE_FILE_NAMES = Object.keys(SHIPPED_TEMPLATE_FILES) as (keyof typeof SHIPPED_TEMPLATE_FILES)[]

/** Whether a file in a deployer's folder or prefix is meant as a template (others, a README, are left alone). */
export const isTemplateFileName = (fileName: string) => /\.(txt|html)$/.test(fileName)

function compileFile(templates: Partial<Record<MailTemplateName, MailTemplate>>, file: TemplateFile): void {
  const [, stem = file.fileName, kind] = /^(.*)\.(txt|html)$/.exec(file.fileName) ?? []
  if (!(stem in MAIL_TEMPLATES)) {
    throw new TemplateError(`${file.location}: there is no mail template "${stem}"; the files are ${TEMPLATE_FILE_NAMES.join(', ')}.`)
  }
  const name = stem as MailTemplateName
  const { html, placeholders } = MAIL_TEMPLATES[name]
  if (kind === 'html' && !html) throw new TemplateError(`${file.location}: "${name}" has no HTML body; its template is ${name}.txt.`)
  const names = Object.keys(placeholders)
  const compile = (text: string) => {
    try {
      return compileTemplate(text, name, names)
    } catch (error) {
      if (error instanceof TemplateError) throw new TemplateError(`${file.location}: ${error.message}`)
      throw error
    }
  }
  const text = file.text.replace(/\r\n?/g, '\n')
  const newline = text.indexOf('\n')
  const replaced: Partial<MailTemplate> =
    kind === 'html' ? { html: compile(text) } : { subject: compile(newline < 0 ? text : text.slice(0, newline)), text: compile(newline < 0 ? '' : text.slice(newline + 1)) }
  templates[name] = { ...(templates[name] ?? { subject: [], text: [], html: null }), ...replaced }
}

function compileAll(base: MailTemplates | null, files: readonly TemplateFile[]): MailTemplates {
  const templates: Partial<Record<MailTemplateName, MailTemplate>> = { ...base }
  for (const file of files) compileFile(templates, file)
  for (const name of Object.keys(MAIL_TEMPLATES) as MailTemplateName[]) {
    const template = templates[name]
    if (!template || (MAIL_TEMPLATES[name].html && !template.html)) throw new Error(`The shipped templates lack a file of "${name}".`)
  }
  return templates as MailTemplates
}

/** The shipped templates, compiled (a mistake in one stops the import, so every test sees it). */
export const shippedMailTemplates: MailTemplates = compileAll(
  null,
  TEMPLATE_FILE_NAMES.map((fileName) => ({ fileName, location: `server/templates/shipped.ts ${fileName}`, text: SHIPPED_TEMPLATE_FILES[fileName] })),
)

/**
 * The shipped templates with `files` in their place. Throws a TemplateError naming the
 * file's location and the problem: a file that is no template, an unknown placeholder, a
 * section not closed.
 */
export function compileMailTemplates(files: readonly TemplateFile[]): MailTemplates {
  return compileAll(shippedMailTemplates, files)
}

/** A mail from its templates: a one-line subject, the text body, and the HTML body (escaped values) for the mails that have one. */
export function renderMailTemplate(
  name: MailTemplateName,
  values: Readonly<Record<string, string>>,
  templates: MailTemplates,
): { subject: string; text: string; html: string | null } {
  const template = templates[name]
  return {
    subject: renderSubject(template.subject, values),
    text: renderTemplate(template.text, values),
    html: template.html && renderTemplate(template.html, htmlValues(values)),
  }
}
