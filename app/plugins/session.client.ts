/**
 * nuxt-auth-utils' client session plugin, with its one storage read guarded: that plugin reads
 * localStorage on every page (for its OAuth popups, which this app does not use), and in a
 * frame on another site where the browser blocks third-party storage the read throws, so the
 * embedded "Send me the invite" page (/embed/*) failed with a 500. nuxt.config.ts leaves the
 * module's own copy out; this one does the same steps.
 */
const POPUP_FLAG = 'temp-nuxt-auth-utils-popup'

export default defineNuxtPlugin(async (nuxtApp) => {
  if (!nuxtApp.payload.serverRendered) {
    await useUserSession().fetch()
  } else if (Boolean(nuxtApp.payload.prerenderedAt) || Boolean(nuxtApp.payload.isCached) || nuxtApp.$config.public.auth?.loadStrategy === 'client-only') {
    nuxtApp.hook('app:suspense:resolve', async () => {
      await useUserSession().fetch()
    })
  }
  let openedAsPopup = false
  try {
    openedAsPopup = Boolean(localStorage.getItem(POPUP_FLAG))
    if (openedAsPopup) localStorage.removeItem(POPUP_FLAG)
  } catch {
    // Storage is blocked (a third-party frame): such a page was never opened as a sign-in popup.
  }
  if (openedAsPopup && !useError().value) window.close()
})
