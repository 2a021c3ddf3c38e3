/** `cis inspect`: a file in, the scheduling message described, no services needed. */
import { readMail } from '../domain/mail/read-mail'
import { readCalendar, readFirstCalendar } from '../domain/ical/read-calendar'
import { describeMessage } from '../domain/inspect'
import { NotSchedulingMessage } from '../domain/scheduling'

/** A bare iCalendar file, or a mail message? Decided by content, not by the file name. */
export const isBareCalendar = (bytes: Uint8Array) =>
  new TextDecoder().decode(bytes.subarray(0, 200)).replace(/^\uFEFF/, '').trimStart().toUpperCase().startsWith('BEGIN:VCALENDAR')

export async function inspectFile(name: string, bytes: Uint8Array) {
  if (isBareCalendar(bytes)) return describeMessage(readCalendar(new TextDecoder().decode(bytes)))
  const mail = await readMail(bytes)
  if (mail.kind === 'bounce') throw new NotSchedulingMessage(`${name} is a delivery failure report (bounce), not a scheduling message.`, 'bounce')
  if (mail.kind === 'auto-reply') throw new NotSchedulingMessage(`${name} is an automatic reply, not a scheduling message.`, 'auto-reply')
  if (!mail.calendars.length) throw new NotSchedulingMessage(`${name} carries no calendar.`, 'no-calendar')
  // The same choice of calendar part as the pipeline, so inspect shows what ingest acts on.
  return describeMessage(readFirstCalendar(mail.calendars))
}
