// The OpenAPI 3.1 document of this API, built from the routes' zod schemas once per process.
import { openApiDocument } from '../openapi/document'
import { config } from '../config'

let document: ReturnType<typeof openApiDocument> | undefined

export default defineEventHandler(() => (document ??= openApiDocument(config().siteUrl)))
