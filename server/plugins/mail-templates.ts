// The deployer's mail templates (CIS_TEMPLATES_DIR or CIS_TEMPLATES_S3_PREFIX) are read and
// checked when the server starts. Nitro does not wait for a plugin, so requests wait for
// them instead; if one is bad (a file that is no template, an unknown placeholder), the
// log says so now, naming the file and the name, and every request fails rather than a
// mail going out wrong.
import { logger } from '../log'
import { useMailTemplates } from '../templates/in-use'

export default defineNitroPlugin((nitroApp) => {
  const loading = useMailTemplates()
  const stopWaiting = nitroApp.hooks.hook('request', async () => {
    await loading
  })
  loading.then(
    () => stopWaiting(),
    (error: Error) => logger.error('the mail templates cannot be used', { error }),
  )
})
