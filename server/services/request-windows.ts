/**
 * Fixed-window request counting for the forms' rate limits (sign-in, "send me the invite"):
 * each request takes one place in its subject's current window, with a conditional ADD, so
 * concurrent requests never take more places than the limit.
 */
import { $add, EntityRepository } from 'dynamodb-toolbox'
import { isConditionFailure, type RequestWindowEntity } from '../aws/table'

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000)

/** Takes one request of `subject`'s window, counted in `entity`; false when the window is full. */
export async function takeRequest(entity: RequestWindowEntity, subject: string, limit: number, now: Date, windowMinutes: number): Promise<boolean> {
  const windowMs = windowMinutes * 60_000
  const start = Math.floor(now.getTime() / windowMs) * windowMs
  try {
    await entity.build(EntityRepository).update(
      // Kept a window longer than it counts, so a request at its end still finds it.
      { subject, window: new Date(start).toISOString(), count: $add(1), expiresAt: epochSeconds(new Date(start + 2 * windowMs)) },
      { condition: { or: [{ attr: 'count', exists: false }, { attr: 'count', lt: limit }] } },
    )
    return true
  } catch (error) {
    if (isConditionFailure(error)) return false
    throw error
  }
}
