import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { parseSesNotification, UnreadableSesNotification, type ParsedNotification } from '../../../../../server/domain/mail/ses-notification'

const dir = new URL('../../../../fixtures/ses/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(`${name}.json`, dir), 'utf8')

const EVENT_ID = 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000'

/** What each fixture (tests/fixtures/ses) reads as. */
const expected: Record<string, Partial<ParsedNotification>> = {
  'event-bounce-permanent': {
    kind: 'bounce', type: 'Bounce', permanent: true, at: '2017-08-05T00:41:02.669Z', sesMessageId: EVENT_ID,
    recipients: [{ email: 'recipient@example.com', detail: 'smtp; 550 5.1.1 user unknown' }],
  },
  'event-bounce-transient': {
    kind: 'bounce', permanent: false,
    recipients: [{ email: 'recipient@example.com', detail: 'smtp; 452 4.2.2 mailbox full' }],
  },
  'event-bounce-suppression-list': { kind: 'bounce', permanent: true, recipients: [expect.objectContaining({ email: 'recipient@example.com' })] },
  'event-complaint-abuse': {
    kind: 'complaint', type: 'Complaint', permanent: true, at: '2017-08-05T00:41:02.669Z', sesMessageId: EVENT_ID,
    recipients: [{ email: 'recipient@example.com', detail: expect.stringMatching(/^complaint \(abuse\), from Mozilla/) }],
  },
  'event-complaint-not-spam': { kind: 'complaint', permanent: false, recipients: [expect.objectContaining({ email: 'recipient@example.com' })] },
  'event-delivery': {
    kind: 'other', type: 'Delivery', permanent: false, at: '2016-10-19T23:21:04.133Z',
    recipients: [{ email: 'recipient@example.com', detail: '250 2.6.0 Message received' }],
  },
  'event-send': { kind: 'other', type: 'Send', permanent: false, at: '2016-10-14T05:02:16.645Z' },
  'event-reject': { kind: 'other', type: 'Reject', permanent: false, recipients: [{ email: 'sender@example.com', detail: 'Bad content' }] },
  'event-delivery-delay': {
    kind: 'other', type: 'DeliveryDelay', permanent: false,
    recipients: [{ email: 'recipient@example.com', detail: 'smtp; 421 4.4.1 Unable to connect to remote host' }],
  },
  'notification-bounce-with-dsn': {
    kind: 'bounce', permanent: true, at: '2016-01-27T14:59:38.237Z', sesMessageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
    recipients: [{ email: 'jane@example.com', detail: 'smtp; 550 5.1.1 <jane@example.com>... User' }],
  },
  'notification-bounce-without-dsn': {
    kind: 'bounce', permanent: true,
    recipients: [expect.objectContaining({ email: 'jane@example.com' }), expect.objectContaining({ email: 'richard@example.com' })],
  },
  'notification-complaint-with-feedback': {
    kind: 'complaint', permanent: true,
    recipients: [{ email: 'richard@example.com', detail: 'complaint (abuse), from AnyCompany Feedback Loop (V0.01)' }],
  },
  'notification-complaint-without-feedback': {
    kind: 'complaint', permanent: true, recipients: [{ email: 'richard@example.com', detail: 'complaint without a feedback report' }],
  },
  'notification-delivery': { kind: 'other', type: 'Delivery', permanent: false, recipients: [expect.objectContaining({ email: 'jane@example.com' })] },
  'sns-event-bounce-permanent': {
    kind: 'bounce', permanent: true, at: '2017-08-05T00:41:02.669Z', sesMessageId: EVENT_ID,
    recipients: [{ email: 'recipient@example.com', detail: 'smtp; 550 5.1.1 user unknown' }],
  },
  'sns-event-complaint-abuse': { kind: 'complaint', permanent: true, recipients: [expect.objectContaining({ email: 'recipient@example.com' })] },
  'sns-topic-validated': { kind: 'other', type: 'TopicValidation', permanent: false, recipients: [], at: '2017-08-05T00:41:03.001Z' },
  'sns-subscription-confirmation': {
    kind: 'other', type: 'SubscriptionConfirmation', permanent: false, recipients: [],
    description: expect.stringContaining('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription'),
  },
}

describe('parseSesNotification over the documented examples', () => {
  it('has an expectation for every fixture', () => {
    const files = readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5))
    expect(files.sort()).toEqual(Object.keys(expected).sort())
  })

  it.each(Object.entries(expected))('%s', (name, want) => {
    const parsed = parseSesNotification(fixture(name))
    expect(parsed).toMatchObject(want)
    expect(parsed.description).toMatch(/\.$/)
    if (parsed.kind === 'other') expect(parsed.permanent).toBe(false)
  })

  it.each([
    ['event-bounce-permanent', 'never mailed again'],
    ['event-bounce-transient', 'not suppressed'],
    ['event-complaint-not-spam', 'nothing changes'],
    ['event-delivery-delay', 'SES keeps trying'],
  ])('%s says what it means here', (name, phrase) => {
    expect(parseSesNotification(fixture(name)).description).toContain(phrase)
  })

  it('reads the SNS envelope and raw delivery of the same event alike', () => {
    for (const kind of ['bounce-permanent', 'complaint-abuse']) {
      expect(parseSesNotification(fixture(`sns-event-${kind}`))).toEqual(parseSesNotification(fixture(`event-${kind}`)))
    }
  })
})

describe('parseSesNotification on edge cases', () => {
  const bounce = JSON.parse(fixture('event-bounce-permanent'))

  it('takes the plain-text validation message of raw delivery', () => {
    expect(parseSesNotification('Successfully validated SNS topic for Amazon SES event publishing.', { receivedAt: '2026-01-01T00:00:00.000Z' })).toMatchObject({
      kind: 'other', permanent: false, at: '2026-01-01T00:00:00.000Z',
    })
  })

  it('treats an undetermined bounce as not permanent', () => {
    const undetermined = { ...bounce, bounce: { ...bounce.bounce, bounceType: 'Undetermined', bounceSubType: 'Undetermined' } }
    expect(parseSesNotification(JSON.stringify(undetermined))).toMatchObject({ kind: 'bounce', permanent: false, description: expect.stringContaining('could not tell why') })
  })

  it('reads display-name addresses and upper case as the bare lower-case address', () => {
    const named = { ...bounce, bounce: { ...bounce.bounce, bouncedRecipients: [{ emailAddress: 'Jane Doe <Jane@Example.COM>' }] } }
    expect(parseSesNotification(JSON.stringify(named)).recipients).toEqual([{ email: 'jane@example.com', detail: 'Permanent bounce (General)' }])
  })

  it('ignores fields SES adds later', () => {
    const extended = { ...bounce, newTopLevel: { x: 1 }, bounce: { ...bounce.bounce, somethingNew: true } }
    expect(parseSesNotification(JSON.stringify(extended))).toEqual(parseSesNotification(JSON.stringify(bounce)))
  })

  it('uses the time SQS received it when the body names none', () => {
    const { timestamp: _omitted, ...rest } = bounce.bounce
    const timeless = { ...bounce, bounce: rest, mail: { ...bounce.mail, timestamp: undefined } }
    expect(parseSesNotification(JSON.stringify(timeless), { receivedAt: '2026-02-03T04:05:06.000Z' }).at).toBe('2026-02-03T04:05:06.000Z')
  })

  it.each([
    ['not JSON', '{"eventType": "Bounce"', 'not JSON'],
    ['a JSON array', '[1, 2]', 'not an SES notification'],
    ['JSON without a type', '{"mail": {}}', 'no eventType'],
    ['a Bounce without its bounce object', '{"eventType": "Bounce", "mail": {"timestamp": "2026-01-01T00:00:00Z"}}', 'bounce object'],
    ['a Complaint with unreadable recipients', '{"notificationType": "Complaint", "complaint": {"complainedRecipients": "x"}}', 'complaint object'],
    ['an SNS notification carrying text', '{"Type": "Notification", "Message": "hello"}', 'does not carry JSON'],
    ['an unknown SNS message type', '{"Type": "Strange", "Message": "{}"}', 'Unknown SNS message type'],
    ['a bounce with no time at all', JSON.stringify({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [] } }), 'when it happened'],
  ])('refuses %s with UnreadableSesNotification', (_name, body, message) => {
    let thrown: unknown
    try {
      parseSesNotification(body)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(UnreadableSesNotification)
    expect((thrown as Error).message).toContain(message)
    expect((thrown as UnreadableSesNotification).excerpt).toBe(body.slice(0, 200))
  })
})
