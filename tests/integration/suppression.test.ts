/**
 * The suppression list on DynamoDB Local: blocks, unsubscribes, permanent bounces and
 * complaints, each kept from its first time; what suppressionOf answers when several apply.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import { PersonEntity } from '../../server/aws/table'
import { parseSesNotification, type ParsedNotification } from '../../server/domain/mail/ses-notification'
import { block, recordSesNotification, suppressionOf, unblock, unsubscribe } from '../../server/services/suppression'
import { useFreshTable } from './support'

const people = PersonEntity.build(EntityRepository)
const fixture = (name: string) => parseSesNotification(readFileSync(new URL(`../fixtures/ses/${name}.json`, import.meta.url), 'utf8'))
const someone = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.org`

/** A documented notification, about `email` and at `at`. */
const about = (name: string, email: string, at?: string): ParsedNotification => {
  const n = fixture(name)
  return { ...n, at: at ?? n.at, recipients: n.recipients.map((r) => ({ ...r, email })) }
}

describe('the suppression list', () => {
  beforeAll(async () => {
    await useFreshTable()
  })

  it('knows nothing about an address never recorded', async () => {
    expect(await suppressionOf(someone('nobody'))).toBeNull()
  })

  it('suppresses a permanent bounce, saying why in a sentence', async () => {
    const email = someone('bounced')
    expect(await recordSesNotification(about('event-bounce-permanent', email))).toEqual({ suppressed: [email] })
    expect(await suppressionOf(email)).toEqual({
      reason: 'bounced',
      since: '2017-08-05T00:41:02.669Z',
      sentence: `Mail to ${email} bounced permanently on 2017-08-05 (smtp; 550 5.1.1 user unknown), so nothing more is sent there.`,
    })
  })

  it('suppresses every recipient of one notification', async () => {
    const [jane, richard] = [someone('jane'), someone('richard')]
    const n = fixture('notification-bounce-without-dsn')
    const both = { ...n, recipients: [{ ...n.recipients[0]!, email: jane }, { ...n.recipients[1]!, email: richard }] }
    expect((await recordSesNotification(both)).suppressed.sort()).toEqual([jane, richard].sort())
    expect(await suppressionOf(jane)).toMatchObject({ reason: 'bounced' })
    expect(await suppressionOf(richard)).toMatchObject({ reason: 'bounced' })
  })

  it('suppresses a complaint, with or without a feedback report', async () => {
    for (const name of ['event-complaint-abuse', 'notification-complaint-without-feedback']) {
      const email = someone('complainer')
      expect(await recordSesNotification(about(name, email))).toEqual({ suppressed: [email] })
      expect(await suppressionOf(email)).toMatchObject({ reason: 'complained', sentence: expect.stringContaining('reported this server\'s mail as spam') })
    }
  })

  it.each(['event-bounce-transient', 'event-complaint-not-spam', 'event-delivery', 'event-delivery-delay', 'event-reject', 'sns-subscription-confirmation'])(
    'changes nothing for %s',
    async (name) => {
      const email = someone('fine')
      expect(await recordSesNotification(about(name, email))).toEqual({ suppressed: [] })
      expect(await suppressionOf(email)).toBeNull()
      expect((await people.get({ email })).Item).toBeUndefined()
    },
  )

  it('keeps the first time when SQS delivers the same bounce again, or a later one arrives', async () => {
    const email = someone('twice')
    const first = about('event-bounce-permanent', email)
    await recordSesNotification(first)
    await recordSesNotification(first)
    await recordSesNotification({ ...first, at: '2026-05-05T05:05:05.000Z' })
    expect(await suppressionOf(email)).toMatchObject({ reason: 'bounced', since: '2017-08-05T00:41:02.669Z' })
  })

  it('stores addresses in lower case and finds them whatever the case', async () => {
    const email = someone('Mixed.Case').replace('@example.org', '@Example.ORG')
    await recordSesNotification(about('event-bounce-permanent', email))
    expect(await suppressionOf(email.toLowerCase())).toMatchObject({ reason: 'bounced' })
    expect(await suppressionOf(` ${email.toUpperCase()} `)).toMatchObject({ reason: 'bounced' })
  })

  it('unsubscribes once: a second click keeps the first time', async () => {
    const email = someone('leaver')
    await unsubscribe(email, new Date('2026-03-01T10:00:00Z'))
    await unsubscribe(email.toUpperCase(), new Date('2026-04-01T10:00:00Z'))
    expect(await suppressionOf(email)).toEqual({
      reason: 'unsubscribed',
      since: '2026-03-01T10:00:00.000Z',
      sentence: `${email} unsubscribed from this server's mail on 2026-03-01.`,
    })
  })

  it('puts an owner\'s block first, and unblocking leaves the person\'s own reasons', async () => {
    const email = someone('blocked')
    await recordSesNotification(about('event-complaint-abuse', email))
    await unsubscribe(email, new Date('2026-03-01T10:00:00Z'))
    await block(email, new Date('2026-03-02T10:00:00Z'))
    expect(await suppressionOf(email)).toMatchObject({ reason: 'blocked', since: '2026-03-02T10:00:00.000Z' })
    await unblock(email)
    expect(await suppressionOf(email)).toMatchObject({ reason: 'unsubscribed' })
  })

  it('reports a complaint before a bounce for the same address', async () => {
    const email = someone('both')
    await recordSesNotification(about('event-bounce-permanent', email))
    await recordSesNotification(about('event-complaint-abuse', email))
    const item = (await people.get({ email })).Item!
    expect(item).toMatchObject({ bouncedAt: '2017-08-05T00:41:02.669Z', complainedAt: '2017-08-05T00:41:02.669Z' })
    expect(await suppressionOf(email)).toMatchObject({ reason: 'complained' })
  })

  it('blocks and unblocks an address nobody has mailed; unblocking a stranger writes nothing', async () => {
    const email = someone('stranger')
    await unblock(email)
    expect((await people.get({ email })).Item).toBeUndefined()
    await block(email)
    expect(await suppressionOf(email)).toMatchObject({ reason: 'blocked', sentence: expect.stringContaining('blocked by this server\'s owners') })
    await unblock(email)
    expect(await suppressionOf(email)).toBeNull()
  })
})
