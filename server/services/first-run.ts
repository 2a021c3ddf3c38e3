/**
 * What the dashboard tells a person who has not brought an event here yet: the address to
 * invite, and whether they organize anything at all (one read of at most one item of the
 * organizer index, past and cancelled events included).
 */
import { QueryCommand } from 'dynamodb-toolbox'
import { EventEntity, keys, table } from '../aws/table'
import { config } from '../config'

export interface FirstRunFacts {
  createAddress: string
  hasEvents: boolean
  localStack: boolean
}

export async function firstRunFacts(email: string): Promise<FirstRunFacts> {
  const { Items } = await table
    .build(QueryCommand)
    .entities(EventEntity)
    .query({ index: 'gsi1', partition: keys.organizer(email) })
    .options({ limit: 1, attributes: ['uid'] })
    .send()
  return { createAddress: config().mailboxes.create, hasEvents: (Items ?? []).length > 0, localStack: config().stack === 'local' }
}
