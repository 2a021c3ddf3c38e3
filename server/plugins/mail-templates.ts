// The deployer's mail templates (CIS_TEMPLATES_DIR) are read and checked when the server
// starts: a file with an unknown name or placeholder stops it, naming the file.
import { config } from '../config'
import { useMailTemplates } from '../templates/mail'

export default defineNitroPlugin(() => {
  useMailTemplates(config().templatesDir)
})
