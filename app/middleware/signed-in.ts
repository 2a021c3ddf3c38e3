// Pages behind sign-in: anyone without a session goes to /sign-in.
export default defineNuxtRouteMiddleware(async () => {
  const session = useSessionStore()
  if (import.meta.server || !session.loaded || !session.me) await session.load()
  if (!session.me) return navigateTo('/sign-in')
})
