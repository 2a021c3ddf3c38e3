/**
 * `cis preview-invite FILE --to EMAIL [--name NAME]`: the exact raw MIME the server would
 * send to EMAIL for the event an organizer's invitation (.eml or .ics) creates. Needs no
 * services: the file is read as `cis inspect` and the pipeline read it, the iTIP rules
 * decide the event as for a new UID (the organizer named in the calendar taken as its
 * verified sender), and the domain composes the message.
 *
 * The unsubscribe link is `${siteUrl}/unsubscribe/preview` and the answer links
 * `${siteUrl}/rsvp/preview?answer=…`: `preview` stands where the sent mail has a token signed
 * for the recipient and event, so the links in a preview work nowhere and the preview needs
 * no signing secret.
 */
import { decideOrganizerMessage } from '../domain/itip/rules'
import { NotSchedulingMessage } from '../domain/scheduling'
import { isMailAddress } from '../domain/mail/address'
import { composeInvitationMessage } from '../domain/invite/compose-message'
import type { MailTemplates } from '../templates/mail'
import { readSchedulingFile } from './inspect-file'

export const PREVIEW_UNSUBSCRIBE_TOKEN = 'preview'

export interface PreviewOptions {
  to: string
  name?: string | null
  /** The server's rsvp@ mailbox (ORGANIZER and From). */
  organizerMailbox: string
  /** Public address of the site, without a trailing slash. */
  siteUrl: string
  /** The mail templates the server would use (server/templates/in-use.ts). */
  templates: MailTemplates
  now?: Date
}

export async function previewInvite(name: string, bytes: Uint8Array, options: PreviewOptions): Promise<Buffer> {
  const to = options.to.trim().toLowerCase()
  if (!isMailAddress(to)) throw new RangeError(`--to ${JSON.stringify(options.to)} is not a mail address.`)
  const message = await readSchedulingFile(name, bytes)
  if (message.method !== 'REQUEST') throw new NotSchedulingMessage(`${name} is a ${message.method}, not an invitation (REQUEST).`, 'unsupported')
  const organizer = (message.master ?? message.overrides[0])?.organizer ?? null
  const decision = decideOrganizerMessage(
    message,
    null,
    { email: organizer?.email ?? null, verified: true },
    { requireVerifiedSender: false, allowedOrganizerDomains: [], serverAddresses: [options.organizerMailbox] },
  )
  if (!('event' in decision)) throw new Error(`The server would not create an event from ${name}: ${decision.reason}`)
  return composeInvitationMessage({
    event: decision.event,
    recipient: { email: to, name: options.name ?? null },
    method: 'REQUEST',
    sequence: decision.event.sequence,
    organizerMailbox: options.organizerMailbox,
    unsubscribeUrl: `${options.siteUrl}/unsubscribe/${PREVIEW_UNSUBSCRIBE_TOKEN}`,
    answerUrls: {
      ACCEPTED: `${options.siteUrl}/rsvp/${PREVIEW_UNSUBSCRIBE_TOKEN}?answer=ACCEPTED`,
      TENTATIVE: `${options.siteUrl}/rsvp/${PREVIEW_UNSUBSCRIBE_TOKEN}?answer=TENTATIVE`,
      DECLINED: `${options.siteUrl}/rsvp/${PREVIEW_UNSUBSCRIBE_TOKEN}?answer=DECLINED`,
    },
    templates: options.templates,
    now: options.now,
  })
}
