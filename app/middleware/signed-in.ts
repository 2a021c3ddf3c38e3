// Pages behind sign-in: anyone without a session goes to /sign-in, which brings them back here afterwards.
import { DEFAULT_AFTER_SIGN_IN } from '~~/shared/schemas/auth'

export default defineNuxtRouteMiddleware(async (to) => {
  const session = useSessionStore()
  if (import.meta.server || !session.loaded || !session.me) await session.load()
  if (!session.me) return navigateTo({ path: '/sign-in', query: to.fullPath === DEFAULT_AFTER_SIGN_IN ? {} : { next: to.fullPath } })
})
