/**
 * Many items of one entity by key, in BatchGetItem requests of 100 (DynamoDB's most), up to
 * eight at once: what a list of thousands needs instead of one GetItem per row. Keys the
 * table could not serve at once are asked for again (dynamodb-toolbox's `maxAttempts`).
 */
import { BatchGetCommand, BatchGetRequest, executeBatchGet, type Entity, type FormattedItem, type KeyInputItem } from 'dynamodb-toolbox'
import { table } from './table'

const BATCH_GET_KEYS = 100
/** Requests in flight at once. */
const CONCURRENT_REQUESTS = 8

/** The items at these keys, in the same order; undefined where there is none. */
export async function getMany<E extends Entity>(entity: E, keyList: KeyInputItem<E>[], options: { consistent?: boolean } = {}): Promise<(FormattedItem<E> | undefined)[]> {
  const chunks: KeyInputItem<E>[][] = []
  for (let index = 0; index < keyList.length; index += BATCH_GET_KEYS) chunks.push(keyList.slice(index, index + BATCH_GET_KEYS))
  const found: unknown[][] = []
  const read = async (at: number) => {
    const chunk = chunks[at]!
    const command = table
      .build(BatchGetCommand)
      .requests(...(chunk.map((key) => entity.build(BatchGetRequest).key(key)) as [BatchGetRequest<E>, ...BatchGetRequest<E>[]]))
      .options({ consistent: options.consistent ?? false })
    const { Responses } = await executeBatchGet({ maxAttempts: 10 }, command)
    found[at] = Responses?.[0] ?? chunk.map(() => undefined)
  }
  for (let start = 0; start < chunks.length; start += CONCURRENT_REQUESTS) {
    await Promise.all(chunks.slice(start, start + CONCURRENT_REQUESTS).map((_, offset) => read(start + offset)))
  }
  return found.flat() as (FormattedItem<E> | undefined)[]
}
