// The OpenAPI 3.1 document of this API, built from the routes' zod schemas.
import { openApiDocument } from '../openapi/document'
import { config } from '../config'

export default defineEventHandler(() => openApiDocument(config().siteUrl))
