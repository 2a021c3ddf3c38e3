/** `cis inspect`: a file in, the scheduling message described, no services needed. */
import { readMail } from '../domain/mail/read-mail'
import { readCalendar, readFirstCalendar } from '../domain/ical/read-calendar'
import { describeMessage } from '../domain/inspect'
import { NotSchedulingMessage, type SchedulingMessage } from '../domain/scheduling'

/** A bare iCalendar file, or a mail message? Decided by content, not by the file name. */
export const isBareCalendar = (bytes: Uint8Array) =>
  new TextDecoder().decode(bytes.subarray(0, 200)).replace(/^\uFEFF/, '').trimStart().toUpperCase().startsWith('BEGIN:VCALENDAR')

/**
 * The scheduling message in a file (.ics or .eml), with the same choice of calendar part as
 * the pipeline, so the command line shows what ingest acts on.
 */
export async function readSchedulingFile(name: string, bytes: Uint8Array): Promise<SchedulingMessage> {
  if (isBareCalendar(bytes)) return readCalendar(new TextDecoder().decode(bytes))
  const mail = await readMail(bytes)
  if (mail.kind === 'bounce') throw new NotSchedulingMessage(`${name} is a delivery failure report (bounce), not a scheduling message.`, 'bounce')
  if (mail.kind === 'auto-reply') throw new NotSchedulingMessage(`${name} is an automatic reply, not a scheduling message.`, 'auto-reply')
  if (!mail.calendars.length) throw new NotSchedulingMessage(`${name} carries no calendar.`, 'no-calendar')
  return readFirstCalendar(mail.calendars)
}

export async function inspectFile(name: string, bytes: Uint8Array) {
  return describeMessage(await readSchedulingFile(name, bytes))
}
