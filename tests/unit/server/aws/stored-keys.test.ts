/**
 * The keys each entity writes, spelled out: items stored by earlier versions are found only
 * if these never change (tests/integration/stored-data.test.ts reads such items).
 */
import { describe, it, expect } from 'vitest'
import { PutItemCommand, UpdateItemCommand, type Entity } from 'dynamodb-toolbox'
import {
  ApiTokenEntity,
  AttendeeEntity,
  BreakdownsEntity,
  EventEntity,
  InvitationEntity,
  MailLogEntity,
  OrganizerEntity,
  OwnerEntity,
  PersonEntity,
  SendRecordEntity,
  SessionEntity,
  SignInRateEntity,
  SignInTokenEntity,
} from '../../../../server/aws/table'

const KEY = /^(pk|sk|gsi\dpk|gsi\dsk)$/
const keysOf = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([name]) => KEY.test(name)))
const putKeys = (entity: Entity, item: Record<string, unknown>) => keysOf(entity.build(PutItemCommand).item(item as never).params().Item ?? {})

const event = {
  uid: 'uid-1@test',
  organizerEmail: 'Ann@Example.org',
  organizerDomain: 'example.org',
  start: '2027-05-01T10:00:00Z',
  dtstamp: '2026-10-01T00:00:00Z',
}
const mail = { key: 'inbound/abc', mailbox: 'create@events.localhost', sender: 'Ann@Example.org', receivedAt: '2026-10-01T08:00:00Z', outcome: 'created' }

describe('stored keys', () => {
  it.each<[string, Entity, Record<string, unknown>, Record<string, string>]>([
    [
      'an event',
      EventEntity,
      event,
      { pk: 'EVENT#uid-1@test', sk: 'EVENT', gsi1pk: 'ORGANIZER#ann@example.org', gsi1sk: '2027-05-01T10:00:00Z#uid-1@test', gsi2pk: 'DOMAIN#example.org', gsi2sk: 'EVENT#2027-05-01T10:00:00Z#uid-1@test' },
    ],
    [
      'a listed event',
      EventEntity,
      { ...event, listed: true },
      {
        pk: 'EVENT#uid-1@test', sk: 'EVENT', gsi1pk: 'ORGANIZER#ann@example.org', gsi1sk: '2027-05-01T10:00:00Z#uid-1@test', gsi2pk: 'DOMAIN#example.org',
        gsi2sk: 'EVENT#2027-05-01T10:00:00Z#uid-1@test', gsi3pk: 'PUBLIC#2027-05', gsi3sk: '2027-05-01T10:00:00Z#uid-1@test',
      },
    ],
    [
      'an organizer',
      OrganizerEntity,
      { email: 'Ann@Example.org', domain: 'example.org' },
      { pk: 'ORGANIZER#ann@example.org', sk: 'PROFILE', gsi2pk: 'DOMAIN#example.org', gsi2sk: 'ORGANIZER#ann@example.org', gsi3pk: 'ORGANIZERS', gsi3sk: 'example.org#ann@example.org' },
    ],
    ['an attendee', AttendeeEntity, { eventUid: 'uid-1@test', email: 'Bob@Example.org' }, { pk: 'EVENT#uid-1@test', sk: 'ATTENDEE#bob@example.org', gsi1pk: 'PERSON#bob@example.org', gsi1sk: 'EVENT#uid-1@test' }],
    ['a person', PersonEntity, { email: 'Bob@Example.org' }, { pk: 'PERSON#bob@example.org', sk: 'PROFILE' }],
    [
      'a mail log entry',
      MailLogEntity,
      { ...mail, eventUid: 'uid-1@test' },
      {
        pk: 'MAIL#inbound/abc', sk: 'MAIL', gsi1pk: 'MAILFROM#ann@example.org', gsi1sk: '2026-10-01T08:00:00Z#inbound/abc', gsi2pk: 'MAILDAY#2026-10-01',
        gsi2sk: '2026-10-01T08:00:00Z#inbound/abc', gsi3pk: 'EVENTMAIL#uid-1@test', gsi3sk: '2026-10-01T08:00:00Z#inbound/abc',
      },
    ],
    [
      'an invitation',
      InvitationEntity,
      { eventUid: 'uid-1@test', email: 'Bob@Example.org', origin: 'api', invitedAt: '2026-10-01T00:00:00Z' },
      { pk: 'EVENT#uid-1@test', sk: 'INVITE#bob@example.org' },
    ],
    [
      'a send record',
      SendRecordEntity,
      { key: 'uid-1@test#bob@example.org#0', eventUid: 'uid-1@test', email: 'bob@example.org', status: 'claimed', claimedAt: '2026-10-01T00:00:00Z' },
      { pk: 'SEND#uid-1@test#bob@example.org#0', sk: 'SEND', gsi1pk: 'EVENTSEND#uid-1@test', gsi1sk: '2026-10-01T00:00:00Z#uid-1@test#bob@example.org#0' },
    ],
    [
      'an API token',
      ApiTokenEntity,
      { tokenHash: 'f00d', id: 't1', email: 'Ann@Example.org', createdAt: '2026-10-01T00:00:00Z' },
      { pk: 'APITOKEN#f00d', sk: 'APITOKEN', gsi1pk: 'APITOKENS#ann@example.org', gsi1sk: '2026-10-01T00:00:00Z#t1' },
    ],
    ['breakdowns', BreakdownsEntity, { eventUid: 'uid-1@test', version: 3, breakdowns: {}, computedAt: '2026-10-01T00:00:00Z' }, { pk: 'EVENT#uid-1@test', sk: 'BREAKDOWNS' }],
    ['a session', SessionEntity, { id: 's1', email: 'ann@example.org', expiresAt: 1 }, { pk: 'SESSION#s1', sk: 'SESSION' }],
    ['a sign-in token', SignInTokenEntity, { tokenHash: 'beef', email: 'ann@example.org', expiresAt: 1 }, { pk: 'TOKEN#beef', sk: 'TOKEN' }],
    ['an owner', OwnerEntity, { email: 'Ann@Example.org' }, { pk: 'OWNER#ann@example.org', sk: 'OWNER', gsi1pk: 'OWNERS', gsi1sk: 'ann@example.org' }],
    ['a sign-in window', SignInRateEntity, { subject: 'ip:192.0.2.1', window: '2026-10-01T00:00', count: 1, expiresAt: 1 }, { pk: 'SIGNINRATE#ip:192.0.2.1', sk: 'WINDOW#2026-10-01T00:00' }],
  ])('%s', (_, entity, item, expected) => {
    expect(putKeys(entity, item)).toEqual(expected)
  })

  it('an organizer raised by an update gets its index keys', () => {
    const values = Object.values(OrganizerEntity.build(UpdateItemCommand).item({ email: 'Ann@Example.org', domain: 'example.org' }).params().ExpressionAttributeValues ?? {})
    expect(values).toEqual(expect.arrayContaining(['DOMAIN#example.org', 'ORGANIZER#ann@example.org', 'ORGANIZERS', 'example.org#ann@example.org']))
  })

  it('a send record marked sent is found by its SES message id', () => {
    const { Key, ExpressionAttributeValues } = SendRecordEntity.build(UpdateItemCommand)
      .item({ key: 'k1', status: 'sent', sentAt: '2026-10-01T00:00:01Z', sesMessageId: 'ses-1' })
      .params()
    expect(Key).toEqual({ pk: 'SEND#k1', sk: 'SEND' })
    expect(Object.values(ExpressionAttributeValues ?? {})).toEqual(expect.arrayContaining(['SESMSG#ses-1', 'SEND']))
  })
})
