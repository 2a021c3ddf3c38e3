/**
 * Many items of one entity by key, in BatchGetItem requests of 100 (DynamoDB's most),
 * what a list of thousands needs instead of one GetItem per row. Keys the table could not
 * serve at once are asked for again (dynamodb-toolbox's `maxAttempts`).
 */
import { BatchGetCommand, BatchGetRequest, executeBatchGet, type Entity, type FormattedItem, type KeyInputItem } from 'dynamodb-toolbox'
import { table } from './table'

const BATCH_GET_KEYS = 100

/** The items at these keys, in the same order; undefined where there is none. */
export async function getMany<E extends Entity>(entity: E, keyList: KeyInputItem<E>[], options: { consistent?: boolean } = {}): Promise<(FormattedItem<E> | undefined)[]> {
  const found: unknown[] = []
  for (let index = 0; index < keyList.length; index += BATCH_GET_KEYS) {
    const chunk = keyList.slice(index, index + BATCH_GET_KEYS)
    const command = table
      .build(BatchGetCommand)
      .requests(...(chunk.map((key) => entity.build(BatchGetRequest).key(key)) as [BatchGetRequest<E>, ...BatchGetRequest<E>[]]))
      .options({ consistent: options.consistent ?? false })
    const { Responses } = await executeBatchGet({ maxAttempts: 10 }, command)
    found.push(...(Responses?.[0] ?? chunk.map(() => undefined)))
  }
  return found as (FormattedItem<E> | undefined)[]
}
