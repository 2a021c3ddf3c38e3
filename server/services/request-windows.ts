/**
 * Fixed-window counting for the forms' rate limits (sign-in, "send me the invite") and the
 * daily invitation quota: each request takes one place (a batch of invitations, several) in
 * its subject's current window, with a conditional ADD, so concurrent requests never take
 * more places than the limit.
 */
import { $add, EntityRepository } from 'dynamodb-toolbox'
import { isConditionFailure, type RequestWindowEntity } from '../aws/table'

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000)

/** Takes one request of `subject`'s window, counted in `entity`; false when the window is full. */
export async function takeRequest(entity: RequestWindowEntity, subject: string, limit: number, now: Date, windowMinutes: number): Promise<boolean> {
  return (await takePlaces(entity, subject, 1, limit, now, windowMinutes)) === 1
}

const windowOf = (now: Date, windowMinutes: number) => {
  const windowMs = windowMinutes * 60_000
  const start = Math.floor(now.getTime() / windowMs) * windowMs
  // Kept a window longer than it counts, so a request at its end still finds it.
  return { window: new Date(start).toISOString(), expiresAt: epochSeconds(new Date(start + 2 * windowMs)) }
}

/**
 * Takes up to `wanted` places in `subject`'s window (a batch of invitations against a daily
 * quota): all of them when they fit, else what is left; returns how many were taken.
 */
export async function takePlaces(entity: RequestWindowEntity, subject: string, wanted: number, limit: number, now: Date, windowMinutes: number): Promise<number> {
  const { window, expiresAt } = windowOf(now, windowMinutes)
  const repository = entity.build(EntityRepository)
  let asking = Math.min(wanted, limit)
  // Each failed round learns the count another writer left; a few rounds settle it.
  for (let round = 0; asking > 0 && round < 5; round++) {
    try {
      await repository.update(
        { subject, window, count: $add(asking), expiresAt },
        { condition: { or: [{ attr: 'count', exists: false }, { attr: 'count', lte: limit - asking }] } },
      )
      return asking
    } catch (error) {
      if (!isConditionFailure(error)) throw error
      const { Item } = await repository.get({ subject, window }, { consistent: true })
      asking = Math.min(wanted, limit - Number(Item?.count ?? 0))
    }
  }
  return 0
}

/** Gives back places taken and not used (invitations refused after their places were taken). */
export async function givePlacesBack(entity: RequestWindowEntity, subject: string, places: number, now: Date, windowMinutes: number): Promise<void> {
  if (places <= 0) return
  const { window } = windowOf(now, windowMinutes)
  await entity.build(EntityRepository).update({ subject, window, count: $add(-places) }, { condition: { attr: 'count', exists: true } }).catch((error: unknown) => {
    if (!isConditionFailure(error)) throw error
  })
}
