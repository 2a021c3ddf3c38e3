import { describe, it, expect } from 'vitest'
import { compileMailTemplates, MAIL_TEMPLATES, renderMailTemplate, shippedMailTemplates, TEMPLATE_FILE_NAMES, type TemplateFile } from '../../../../server/templates/mail'

const file = (fileName: string, text: string): TemplateFile => ({ fileName, location: `/etc/cis/templates/${fileName}`, text })

describe('the mail templates', () => {
  it('ships a text template for every mail, and an HTML one for the invitation and the bulk status mail', () => {
    expect(TEMPLATE_FILE_NAMES).toEqual([
      'eventCreated.txt', 'eventUpdated.txt', 'messageNotProcessed.txt', 'signInLink.txt', 'inviteRequestConfirmation.txt', 'attendeeReport.txt',
      'bulkListStatus.txt', 'bulkListStatus.html', 'bulkRefused.txt', 'invitation.txt', 'invitation.html',
    ])
    expect(Object.keys(MAIL_TEMPLATES).sort()).toEqual(TEMPLATE_FILE_NAMES.filter((name) => name.endsWith('.txt')).map((name) => name.slice(0, -4)).sort())
    expect(Object.entries(MAIL_TEMPLATES).filter(([, mail]) => mail.html).map(([name]) => name)).toEqual(['bulkListStatus', 'invitation'])
  })

  it('renders a shipped mail: the first line is its subject', () => {
    expect(renderMailTemplate('attendeeReport', { summary: 'Board meeting', fileName: 'board-meeting.csv' }, shippedMailTemplates)).toEqual({
      subject: 'Attendee report: Board meeting',
      text: 'The attendee report of "Board meeting" is attached (board-meeting.csv): one row per attendee, with their answer, how they were invited and when they replied.\n',
      html: null,
    })
  })

  it('takes a file in place of the shipped template, the others as shipped', () => {
    const templates = compileMailTemplates([file('signInLink.txt', 'Your link for {{siteUrl}}\r\nOpen {{link}} within {{minutes}} minutes.\r\n')])
    expect(renderMailTemplate('signInLink', { siteUrl: 'https://events.example.com', link: 'https://events.example.com/sign-in/verify?token=t', minutes: '15' }, templates)).toEqual({
      subject: 'Your link for https://events.example.com',
      text: 'Open https://events.example.com/sign-in/verify?token=t within 15 minutes.\n',
      html: null,
    })
    expect(templates.eventCreated).toBe(shippedMailTemplates.eventCreated)
  })

  it('replaces the HTML body alone, escaping its values; the text body and subject stay as shipped and unescaped', { tags: ['security'] }, () => {
    const templates = compileMailTemplates([file('invitation.html', '<h1>{{summary}}</h1>\n<p>{{description}}</p>\n')])
    const values = { invited: 'yes', summary: '<script>alert(1)</script>', description: 'Bring <b>snacks</b>\nand friends', when: 'Soon', details: 'When: Soon', organizerName: 'Olga', attendeeEmail: 'bob@example.org' }
    const mail = renderMailTemplate('invitation', values, templates)
    expect(mail.html).toBe('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>\n<p>Bring &lt;b&gt;snacks&lt;/b&gt;<br>\nand friends</p>\n')
    expect(mail.subject).toBe('Invitation: <script>alert(1)</script> @ Soon')
    expect(mail.text).toContain('Olga invites you to "<script>alert(1)</script>".')
    expect(mail.text).toContain('Bring <b>snacks</b>\nand friends')
  })

  it('words the "Send me the invite" confirmation: what was asked, for which address, the link, how long it works; no HTML body', () => {
    const mail = renderMailTemplate(
      'inviteRequestConfirmation',
      { summary: 'Open <evening>', when: 'Monday, 1 March 2027 at 18:00 – 20:00 (Europe/Berlin)', organizerName: 'Olga', email: 'vera@example.org', link: 'https://events.example.com/invite-requests/t0k.en', days: '3' },
      shippedMailTemplates,
    )
    expect(mail.subject).toBe('Confirm: send the invitation to "Open <evening>"')
    expect(mail.text).toContain('asked on the page of "Open <evening>" (Monday, 1 March 2027 at 18:00 – 20:00 (Europe/Berlin)) for the invitation\nto be sent to vera@example.org.')
    expect(mail.text).toContain('\nhttps://events.example.com/invite-requests/t0k.en\n')
    expect(mail.text).toContain('The link works for 3 days.')
    expect(mail.text).toContain('invitations you ask for to events of\nOlga come without this step')
    expect(mail.html).toBeNull()
  })

  it('never lets a subject carry CR or LF, whatever the values hold', { tags: ['security'] }, () => {
    const { subject } = renderMailTemplate('messageNotProcessed', { subject: 'Hi\r\nBcc: everyone@example.org\nX-Evil: 1' }, shippedMailTemplates)
    expect(subject).toBe('We could not process your message "Hi Bcc: everyone@example.org X-Evil: 1"')
  })

  it.each([
    ['a placeholder its mail does not fill, in a text body', file('eventCreated.txt', 'Created {{summary}}\nfor {{organiserName}}\n'),
      '/etc/cis/templates/eventCreated.txt: unknown placeholder {{organiserName}}; "eventCreated" fills {{summary}}, {{organizerName}}'],
    ['one in a subject', file('signInLink.txt', 'Sign in to {{site}}\n{{link}}\n'), '/etc/cis/templates/signInLink.txt: unknown placeholder {{site}}; "signInLink" fills {{link}}, {{minutes}}, {{siteUrl}}.'],
    ['one in an HTML body', file('invitation.html', '<p>{{#location}}{{location}}{{/location}}</p>'), '/etc/cis/templates/invitation.html: unknown placeholder {{location}}; "invitation" fills {{invited}}'],
    ['a section left open', file('invitation.html', '{{#where}}<p>{{where}}</p>'), '/etc/cis/templates/invitation.html: {{#where}} is never closed with {{/where}}.'],
    ['a file that is no template (a misspelt name would otherwise be ignored)', file('eventCreate.txt', 'Hello\n'), '/etc/cis/templates/eventCreate.txt: there is no mail template "eventCreate"; the files are eventCreated.txt,'],
    ['an HTML body for a mail that has none', file('signInLink.html', '<p>{{link}}</p>'), '/etc/cis/templates/signInLink.html: "signInLink" has no HTML body; its template is signInLink.txt.'],
  ])('refuses %s, naming the file and the name', (_, bad, message) => {
    expect(() => compileMailTemplates([bad])).toThrow(message)
  })
})
