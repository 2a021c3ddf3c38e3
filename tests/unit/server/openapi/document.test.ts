import { describe, it, expect } from 'vitest'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { defineOperation, type ApiOperation } from '../../../../shared/schemas/api'
import { openApiDocument, type DocumentedRoute } from '../../../../server/openapi/document'
import { apiOperationsModule, routeFiles } from '../../../../server/openapi/route-files'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

/** Every route file's `operation`, read as the generated module reads it. */
async function routesFromFiles(): Promise<(DocumentedRoute & { file: string })[]> {
  return Promise.all(
    routeFiles(root).map(async (route) => {
      const module = (await import(/* @vite-ignore */ `${root}${route.file}`)) as { operation?: ApiOperation }
      return { ...route, operation: module.operation! }
    }),
  )
}

describe('route files', () => {
  it('are read with Nitro’s addresses: [param] as {param}, index as the folder, the method from the name', () => {
    const routes = routeFiles(root)
    const byFile = new Map(routes.map((route) => [route.file, `${route.method} ${route.path}`]))
    expect(byFile.get('server/api/events/[uid]/invites.post.ts')).toBe('post /api/events/{uid}/invites')
    expect(byFile.get('server/api/events/index.get.ts')).toBe('get /api/events')
    expect(byFile.get('server/api/events/[uid]/report.csv.get.ts')).toBe('get /api/events/{uid}/report.csv')
    expect(byFile.get('server/routes/unsubscribe/[token].post.ts')).toBe('post /unsubscribe/{token}')
    expect(routes.length).toBeGreaterThan(20)
  })

  it('each export an operation, which the generated module gathers', async () => {
    const missing = (await routesFromFiles()).filter((route) => !route.operation).map((route) => route.file)
    expect(missing).toEqual([])
    const module = apiOperationsModule(root)
    for (const { file } of routeFiles(root)) expect(module).toContain(JSON.stringify(`${root}${file}`))
  })
})

describe('OpenAPI document', () => {
  it('gives every operation a summary, a tag and a schema for each answer with a body', async () => {
    const document = openApiDocument(await routesFromFiles())
    expect(document.openapi).toBe('3.1.0')
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { summary?: string; tags?: string[]; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>).map(([method, operation]) => ({ name: `${method} ${path}`, operation })),
    )
    expect(operations.length).toBeGreaterThan(20)
    for (const { name, operation } of operations) {
      expect(operation.summary, name).toMatch(/\S/)
      expect(operation.tags, name).toHaveLength(1)
      for (const [status, response] of Object.entries(operation.responses)) {
        // Redirects and 204 (No Content) have no body to describe.
        if ((Number(status) >= 300 && Number(status) < 400) || status === '204') {
          if (status === '204') expect(response.content, `${name} 204`).toBeUndefined()
          continue
        }
        const schema = response.content && Object.values(response.content)[0]?.schema
        expect(schema, `${name} ${status}`).toBeTruthy()
      }
    }
  })

  it('describes answers with their fields, shared shapes as components', async () => {
    const document = openApiDocument(await routesFromFiles()) as unknown as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, { content: Record<string, { schema: { $ref?: string } }> }> }>>
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> }
    }
    expect(document.paths['/api/events/{uid}']!.get!.responses['200']!.content['application/json']!.schema.$ref).toBe('#/components/schemas/EventDetails')
    expect(document.components.schemas.EventDetails!.required).toEqual(expect.arrayContaining(['uid', 'summary', 'start', 'counts', 'breakdowns']))
    expect(document.components.schemas.Error!.required).toEqual(['statusCode', 'message'])
    expect(document.paths['/api/events']!.get!.parameters!.map((p) => p.name)).toEqual(['view', 'q', 'sort', 'limit', 'cursor', 'organizer'])
    // Signed-in routes answer 401 and named things 404 without saying so in every file.
    expect(Object.keys(document.paths['/api/events/{uid}/attendees']!.get!.responses).sort()).toEqual(['200', '400', '401', '404'])
  })

  it('documents the batch invite API with an example of its rows', async () => {
    const document = openApiDocument(await routesFromFiles()) as unknown as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { example?: unknown; examples?: unknown[]; maxItems?: number } }> } }>>
    }
    const body = document.paths['/api/invites/batch']!.post!.requestBody.content['application/json']!.schema
    expect(body.maxItems).toBe(1000)
    expect(body.example ?? body.examples?.[0]).toEqual([
      { uid: 'launch-2027@example.org', email: 'ann@example.org', name: 'Ann Example' },
      { uid: 'launch-2027@example.org', email: 'bob@example.org' },
    ])
  })

  it('refuses a success answer documented without a body', () => {
    const operation = defineOperation({ summary: 'x', tag: 'system', responses: { 200: { description: 'Something.' } } })
    expect(() => openApiDocument([{ method: 'get', path: '/api/x', operation }])).toThrow('GET /api/x documents no body for its 200 response.')
    const fine = defineOperation({ summary: 'x', tag: 'system', responses: { 200: { description: 'Something.', schema: z.object({ ok: z.boolean() }) } } })
    expect(() => openApiDocument([{ method: 'get', path: '/api/x', operation: fine }])).not.toThrow()
  })
})
