// Zod compiles object parsers with `new Function` where it may, and probes for it by trying once;
// the Content-Security-Policy allows no eval (nuxt.config.ts), and the browser reports even that
// caught probe as a violation. Set before any page builds its schemas: ahead of Nuxt's router
// plugin (order -20), which loads the first page.
import { config } from 'zod'

export default defineNuxtPlugin({
  name: 'zod-jitless',
  order: -25,
  setup() {
    config({ jitless: true })
  },
})
