// The OpenAPI 3.1 document of this API, built from every route's operation once per process.
import { z } from 'zod'
import { routeOperations } from '#api-operations'
import { defineOperation } from '../../shared/schemas/api'
import { config } from '../config'
import { openApiDocument } from '../openapi/document'
import { defineApiRoute } from '../utils/api-route'

export const operation = defineOperation({
  summary: 'This document.',
  tag: 'system',
  public: true,
  responses: {
    200: {
      description: 'The OpenAPI 3.1 document.',
      schema: z.object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()).optional() }),
    },
  },
})

let document: ReturnType<typeof openApiDocument> | undefined

export default defineApiRoute(operation, () => (document ??= openApiDocument(routeOperations(), config().siteUrl)))
