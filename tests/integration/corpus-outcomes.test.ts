import { describe, it, expect } from 'vitest'
import { ingestFiles } from '../../server/cli/ingest-files'
import { corpusFiles, corpusPath, hasCorpus } from '../corpus'
import { useFreshTable } from './support'

/**
 * What the pipeline does with every corpus file received on its own by an empty server,
 * its sender verified (a .ics file is wrapped in a message from its organizer, or from
 * the replying attendee). Files holding a stream of calendars list one outcome each.
 */
const expected: Record<string, string | string[]> = {
  'eml/apple__ccs__dsn_failure_with_ics.eml': 'ignored',
  'eml/apple__ccs__good_reply.eml': 'ignored',
  'eml/apple__ccs__reply_missing_attendee.eml': 'rejected',
  'eml/apple__ccs__reply_missing_organizer.eml': 'rejected',
  'eml/generic__james__reply-degenerate.eml': 'rejected',
  'eml/generic__libical__complex-mime.eml': 'created',
  'eml/generic__tb__cancel-single-event.eml': 'ignored',
  'eml/generic__tb__event-with-file-attachment.eml': 'created',
  'eml/generic__tb__message-containing-event.eml': 'ignored',
  'eml/generic__tb__message-non-invite.eml': 'ignored',
  'eml/generic__tb__single-event.eml': 'created',
  'eml/generic__tb__update-major.eml': 'created',
  'eml/generic__tb__update-minor.eml': 'created',
  'eml/google__james__gmail-forwarded.eml': 'rejected',
  'eml/google__postal-mime__calendar-event.eml': 'created',
  'eml/google__tb__cancel-repeat-event.eml': 'ignored',
  'eml/google__tb__exception-major.eml': 'ignored',
  'eml/google__tb__exception-minor.eml': 'ignored',
  'eml/google__tb__meet-meeting-invite.eml': 'created',
  'eml/google__tb__repeat-event.eml': 'created',
  'eml/google__tb__repeat-update-major.eml': 'created',
  'eml/lightning__james__reply.eml': 'rejected',
  'eml/notes__tb__invite-no-method-no-organizer.eml': 'rejected',
  'eml/o365__tb__outlook-test-invite.eml': 'created',
  'eml/o365__tb__teams-meeting-invite.eml': 'created',
  'eml/sabre__james__invitationEmailFromOP.eml': 'created',
  'eml/yahoo__james__yahooInvitation.eml': 'created',
  'ics/apple-ios__ical4j__iphone-os-26.ics': 'ignored',
  'ics/apple__node-ical__multi-vevent-mixed-dtstart.ics': 'rejected',
  'ics/blackberry__icalendar__bis-request.ics': 'created',
  'ics/davmail__icalendar__freebusy-reply.ics': 'rejected',
  'ics/exchange-cdo__horde__meeting.ics': 'created',
  'ics/exchange-cdo__ical4j__tmeher-invalid.ics': 'created',
  'ics/exchange-cdo__icalendar__no-uid-byday-spaces.ics': 'rejected',
  'ics/exchange2007__horde__bug14132.ics': 'rejected',
  'ics/exchange__icalendar__pacific-standard-time.ics': 'rejected',
  'ics/exchange__ics-parser__broken-description-zoom.ics': 'rejected',
  'ics/exchange__node-ical__allday-moved-recurrence.ics': 'ignored',
  'ics/exchange__node-ical__custom-tz-display-name.ics': 'ignored',
  'ics/exchange__node-ical__customized-time-zone.ics': 'ignored',
  'ics/exchange__node-ical__ms_timezones.ics': 'ignored',
  'ics/exchange__rie__exdate-crlf.ics': 'ignored',
  'ics/generic__akonadi__01-daily-request.ics': 'created',
  'ics/generic__akonadi__02-update-instance.ics': 'ignored',
  'ics/generic__akonadi__04-cancel-series.ics': 'ignored',
  'ics/google__akonadi__update-seq1.ics': 'created',
  'ics/google__node-ical__override-before-master.ics': 'ignored',
  'ics/google__rie__moved-instance.ics': 'ignored',
  'ics/lightning__rie__cancelled-instance.ics': 'ignored',
  'ics/lotus-notes__horde__test_recurring.ics': 'created',
  'ics/mixed__ics-parser__ICal-example.ics': 'ignored',
  'ics/mixed__node-ical__tzone-microsoft-custom.ics': 'ignored',
  'ics/o365__ical-rs__meeting.ics': 'rejected',
  'ics/obm__james__meeting-without-method.ics': 'ignored',
  'ics/outlook-live__ical4j__outlook1.ics': 'created',
  'ics/outlook2007__icalnet__line-folds.ics': 'ignored',
  'ics/outlook2007__vobject__tzid-8bit.ics': 'ignored',
  'ics/outlook2010__biweekly__request.ics': 'created',
  'ics/outlook__node-ical__quoted-windows-tz-rrule.ics': 'ignored',
  'ics/rfc__libical__2446-all-examples.ics': ['ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'created', 'reply', 'updated', 'created', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'cancelled', 'ignored', 'updated', 'created', 'ignored', 'rejected', 'rejected', 'ignored', 'created', 'ignored', 'cancelled', 'cancelled', 'ignored', 'ignored', 'created', 'ignored', 'updated', 'ignored', 'ignored', 'ignored', 'rejected', 'ignored', 'ignored', 'ignored', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'ignored', 'ignored', 'ignored', 'ignored'],
  'ics/rfc__libical__incoming-sequence.ics': ['created', 'created', 'updated', 'ignored', 'ignored', 'ignored', 'created', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored', 'ignored'],
  'ics/yahoo__ical4j__yahoo1.ics': 'created',
  'ics/zimbra__akonadi__03-cancel-instance.ics': 'ignored',
  'ics/zimbra__icaljs__recur-instances.ics': 'ignored',
}

describe.skipIf(!hasCorpus)('every corpus file through the pipeline', () => {
  const files = [...corpusFiles('eml').map((f) => `eml/${f}`), ...corpusFiles('ics').map((f) => `ics/${f}`)]

  it('has an expected outcome for every corpus file', () => {
    expect(Object.keys(expected).sort()).toEqual([...files].sort())
  })

  it.each(files)('%s', async (name) => {
    await useFreshTable()
    const lines = []
    for await (const line of ingestFiles([corpusPath(name)], { verified: true })) lines.push(line)
    const want = expected[name]!
    expect(lines.map((line) => line.outcome)).toEqual(Array.isArray(want) ? want : [want])
    // Whatever happened, a person can read why.
    for (const line of lines) expect(line.reason).toMatch(/^\S.*[.)]$/)
  })
})
