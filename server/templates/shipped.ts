/**
 * The mail templates as shipped, one string per file a deployer may put in their place
 * (server/templates/mail.ts lists the mails and their placeholders). `cis templates export
 * DIR` writes them out as those files, the starting point for a deployer's own.
 *
 * They are strings in code rather than files beside it because every way this code runs
 * reads them the same way then: the Nitro build for the web, the queue functions' own
 * builds, and tsx for the command line, the local stack and the tests. Files would need
 * each of those to bundle or find them.
 */
export const SHIPPED_TEMPLATE_FILES = {
  'eventCreated.txt': `Your event "{{summary}}" is now managed by Calendar Invite Server
Hello {{organizerName}},

The invitation you sent to {{mailbox}} created the event "{{summary}}" ({{start}}).
{{warnings}}
See its attendees and replies, and send invitations, in your dashboard:
{{eventUrl}}

Later changes you make in your calendar reach the server the same way, as long as
{{mailbox}} stays on the guest list.
`,

  'eventUpdated.txt': `Your event "{{summary}}" was updated
Hello {{organizerName}},

The update you sent for "{{summary}}" was applied: {{reason}}
{{warnings}}
{{eventUrl}}
`,

  'messageNotProcessed.txt': `We could not process your message "{{subject}}"
Hello,

Calendar Invite Server received your message "{{subject}}" at {{mailbox}} but could not act on it:

{{reason}}

Nothing was changed. If you think this is a mistake, reply to this message or ask the
server's operator, quoting this reference: {{reference}}
`,

  'signInLink.txt': `Your sign-in link for Calendar Invite Server
Hello,

Open this link to sign in to your dashboard at {{siteUrl}}:

{{link}}

It works once, within {{minutes}} minutes. If you did not ask to sign in, ignore this
message: nothing happens without the link.
`,

  'inviteRequestConfirmation.txt': `Confirm: send the invitation to "{{summary}}"
Hello,

Someone, probably you, asked on the page of "{{summary}}" ({{when}}) for the invitation
to be sent to {{email}}. Open this link and press the button there to have it sent:

{{link}}

The link works for {{days}} days. Once you confirm, invitations you ask for to events of
{{organizerName}} come without this step. If you did not ask, ignore this message: nothing
is sent without the button.
`,

  'attendeeReport.txt': `Attendee report: {{summary}}
The attendee report of "{{summary}}" is attached ({{fileName}}): one row per attendee, with their answer, how they were invited and when they replied.
`,

  'bulkListStatus.txt': `Your list for {{mailbox}}: {{summary}}
Hello,

Calendar Invite Server read what you sent to {{mailbox}} ("{{subject}}"):

{{summary}}

{{lists}}
{{#rejected}}

Rejected rows{{#shown}} (the first {{shown}}; {{more}} in the attachment){{/shown}}:
{{rejected}}
{{/rejected}}
{{#attachments}}

Every rejected row, with its reason, is attached: {{attachments}}.
{{/attachments}}
{{#notes}}

Not read:
{{notes}}
{{/notes}}

The accepted rows' invitations go out at the server's sending rate; each event's page in
your dashboard shows what was sent. Reference: {{reference}}
`,

  'bulkListStatus.html': `<!doctype html>
<html><body style="font-family:sans-serif">
<p>Calendar Invite Server read what you sent to {{mailbox}} (&quot;{{subject}}&quot;):</p>
<p><strong>{{summary}}</strong></p>
<p>{{lists}}</p>
{{#rejected}}
<p>Rejected rows{{#shown}} (the first {{shown}}; {{more}} in the attachment){{/shown}}:</p>
<p style="font-family:monospace">{{rejected}}</p>
{{/rejected}}
{{#attachments}}
<p>Every rejected row, with its reason, is attached: {{attachments}}.</p>
{{/attachments}}
{{#notes}}
<p>Not read:<br>{{notes}}</p>
{{/notes}}
<p style="color:#666;font-size:12px">The accepted rows' invitations go out at the server's sending rate; each event's page in your dashboard shows what was sent. Reference: {{reference}}</p>
</body></html>
`,

  'bulkRefused.txt': `Your list was not read: "{{subject}}"
Hello,

Calendar Invite Server received your message "{{subject}}" at {{mailbox}} but did not read it:

{{reason}}

Nothing was sent. The bulk mailbox reads CSV attachments with the columns uid,email,name
(a header row, then one row per invitation: the event's UID, the address, the name if
any), from senders the server's operators have authorized, for events they organize.
Reference: {{reference}}
`,

  'invitation.txt': `{{#cancelled}}Cancelled{{/cancelled}}{{#updated}}Updated invitation{{/updated}}{{#invited}}Invitation{{/invited}}: {{summary}} @ {{when}}
{{#invited}}
{{organizerName}} invites you to "{{summary}}".
{{/invited}}
{{#updated}}
{{organizerName}} has updated the invitation to "{{summary}}".
{{/updated}}
{{#cancelled}}
{{organizerName}} has cancelled "{{summary}}".
{{/cancelled}}

{{details}}
{{#description}}

{{description}}
{{/description}}
{{#answerYesUrl}}

Will you come? Answer here (the page asks you to confirm):
Yes:   {{answerYesUrl}}
Maybe: {{answerMaybeUrl}}
No:    {{answerNoUrl}}
{{/answerYesUrl}}
{{#eventPageUrl}}

Event page: {{eventPageUrl}}
{{/eventPageUrl}}

--
{{#cancelled}}
This cancellation was sent to {{attendeeEmail}} because you were invited to this event.
{{/cancelled}}
{{^cancelled}}
This invitation was sent to {{attendeeEmail}}. Answer with Yes, No or Maybe in your calendar; this server records your answer for {{organizerName}}.
{{/cancelled}}
{{#unsubscribeUrl}}
To receive no more invitations from this server: {{unsubscribeUrl}}
{{/unsubscribeUrl}}
`,

  'invitation.html': `<!doctype html>
<html><body style="font-family:sans-serif">
{{#invited}}
<p>{{organizerName}} invites you to &quot;{{summary}}&quot;.</p>
{{/invited}}
{{#updated}}
<p>{{organizerName}} has updated the invitation to &quot;{{summary}}&quot;.</p>
{{/updated}}
{{#cancelled}}
<p>{{organizerName}} has cancelled &quot;{{summary}}&quot;.</p>
{{/cancelled}}
<table>
<tr><th align="left" style="padding:2px 12px 2px 0">When</th><td>{{when}}</td></tr>
{{#repeats}}
<tr><th align="left" style="padding:2px 12px 2px 0">Repeats</th><td>{{repeats}}</td></tr>
{{/repeats}}
{{#exceptions}}
<tr><th align="left" style="padding:2px 12px 2px 0">Exceptions</th><td>{{exceptions}}</td></tr>
{{/exceptions}}
{{#where}}
<tr><th align="left" style="padding:2px 12px 2px 0">Where</th><td>{{where}}</td></tr>
{{/where}}
<tr><th align="left" style="padding:2px 12px 2px 0">Organizer</th><td>{{organizerName}}</td></tr>
</table>
{{#description}}
<p>{{description}}</p>
{{/description}}
{{#answerYesUrl}}
<p>Will you come? <a href="{{answerYesUrl}}">Yes</a> &middot; <a href="{{answerMaybeUrl}}">Maybe</a> &middot; <a href="{{answerNoUrl}}">No</a></p>
{{/answerYesUrl}}
{{#eventPageUrl}}
<p><a href="{{eventPageUrl}}">Event page</a></p>
{{/eventPageUrl}}
<hr><p style="color:#666;font-size:12px">
{{#cancelled}}
This cancellation was sent to {{attendeeEmail}} because you were invited to this event.{{#unsubscribeUrl}}<br>{{/unsubscribeUrl}}
{{/cancelled}}
{{^cancelled}}
This invitation was sent to {{attendeeEmail}}. Answer with Yes, No or Maybe in your calendar; this server records your answer for {{organizerName}}.{{#unsubscribeUrl}}<br>{{/unsubscribeUrl}}
{{/cancelled}}
{{#unsubscribeUrl}}
<a href="{{unsubscribeUrl}}">Receive no more invitations from this server</a>
{{/unsubscribeUrl}}
</p>
</body></html>
`,
} as const
