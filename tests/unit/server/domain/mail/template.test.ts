import { describe, it, expect } from 'vitest'
import { compileTemplate, htmlValues, renderSubject, renderTemplate } from '../../../../../server/domain/mail/template'

const NAMES = ['summary', 'where', 'description', 'cancelled']
const render = (text: string, values: Record<string, string>) => renderTemplate(compileTemplate(text, 'invitation', NAMES), values)

describe('the template language', () => {
  it.each([
    ['a placeholder', 'Come to {{summary}}!', { summary: 'the party' }, 'Come to the party!'],
    ['a name without a value, as empty', 'Where: {{where}}.', {}, 'Where: .'],
    ['a section with a value', '{{#where}}at {{where}}{{/where}}', { where: 'Hall 1' }, 'at Hall 1'],
    ['a section without one', 'Party{{#where}} at {{where}}{{/where}}.', { where: '' }, 'Party.'],
    ['an inverted section', '{{^cancelled}}Come!{{/cancelled}}{{#cancelled}}Cancelled.{{/cancelled}}', { cancelled: 'yes' }, 'Cancelled.'],
    ['nested sections', '{{#summary}}[{{#where}}{{where}}{{/where}}{{^where}}nowhere{{/where}}]{{/summary}}', { summary: 'x' }, '[nowhere]'],
    ['section tags on lines of their own, which go with their line', 'Hello\n{{#where}}\nWhere: {{where}}\n{{/where}}\nBye\n', { where: 'Hall 1' }, 'Hello\nWhere: Hall 1\nBye\n'],
    ['the same section left out', 'Hello\n  {{#where}}  \nWhere: {{where}}\n{{/where}}\nBye\n', {}, 'Hello\nBye\n'],
    ['CRLF line ends, as LF', 'A\r\n{{#where}}\r\n{{where}}\r\n{{/where}}\r\nB', { where: 'W' }, 'A\nW\nB'],
    ['values as they are in plain text', '{{summary}}', { summary: '<script>alert(1)</script> & "x"' }, '<script>alert(1)</script> & "x"'],
  ])('fills %s', (_, text, values, expected) => {
    expect(render(text, values)).toBe(expected)
  })

  it('escapes values for an HTML template, line breaks as <br>, so what an organizer wrote reads as text', { tags: ['security'] }, () => {
    const html = compileTemplate('<h1>{{summary}}</h1><a title="{{where}}">x</a><p>{{description}}</p>', 'invitation', NAMES)
    const values = { summary: '<script>alert(1)</script>', where: `"Hall" & 'Co'`, description: 'Line one\nline <b>two</b>' }
    expect(renderTemplate(html, htmlValues(values))).toBe(
      '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1><a title="&quot;Hall&quot; &amp; &#39;Co&#39;">x</a><p>Line one<br>\nline &lt;b&gt;two&lt;/b&gt;</p>',
    )
  })

  it('makes a subject one line, whatever the values hold, and bounds its length', { tags: ['security'] }, () => {
    const subject = compileTemplate('Invitation: {{summary}} @ {{where}}', 'invitation', NAMES)
    expect(renderSubject(subject, { summary: 'Launch\r\nBcc: everyone@example.org', where: 'Hall\u2028 1\u0000' })).toBe('Invitation: Launch Bcc: everyone@example.org @ Hall 1')
    const long = renderSubject(subject, { summary: 'x'.repeat(300), where: 'Hall 1' })
    expect(long).toBe(`Invitation: ${'x'.repeat(199)}… @ Hall 1`)
    expect(renderSubject(subject, { summary: 'y'.repeat(199), where: 'z'.repeat(199) })).toHaveLength(250)
  })

  it.each([
    ['an unknown placeholder', 'Hi {{organiserName}}', 'unknown placeholder {{organiserName}}; "invitation" fills {{summary}}, {{where}}, {{description}}, {{cancelled}}.'],
    ['an unknown section', '{{#venue}}x{{/venue}}', 'unknown placeholder {{venue}}'],
    ['a section never closed', '{{#where}}at {{where}}', '{{#where}} is never closed with {{/where}}.'],
    ['a close without its section', 'x{{/where}}', '{{/where}} closes no {{#where}} or {{^where}}.'],
    ['sections closed in the wrong order', '{{#where}}{{#summary}}{{/where}}{{/summary}}', '{{/where}} closes no {{#where}}'],
    ['a tag with spaces', 'Hi {{ summary }}', '{{ summary }} is no placeholder; write {{name}}'],
    ['a tag with a dot', 'Hi {{event.summary}}', '{{event.summary}} is no placeholder'],
    ['an unescaped value', '{{{summary}}}', '{{{name}}} is not supported'],
  ])('refuses %s, naming it', (_, text, message) => {
    expect(() => compileTemplate(text, 'invitation', NAMES)).toThrow(message)
  })
})
