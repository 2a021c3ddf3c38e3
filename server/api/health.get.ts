// Readiness: the table answers. Says which backend so a misconfigured deploy is obvious.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb'
import { z } from 'zod'
import { defineOperation } from '../../shared/schemas/api'
import { clients } from '../aws/clients'
import { config } from '../config'
import { defineApiRoute } from '../utils/api-route'

export const operation = defineOperation({
  summary: 'Readiness: the event table answers.',
  tag: 'system',
  public: true,
  responses: {
    200: {
      description: 'Ready.',
      schema: z.object({ ok: z.literal(true), stack: z.string().meta({ description: '`local` or `aws`.' }), table: z.string() }),
    },
    503: { description: 'The table is not reachable.' },
  },
})

export default defineApiRoute(operation, async () => {
  const cfg = config()
  try {
    await clients().dynamodb.send(new DescribeTableCommand({ TableName: cfg.tableName }))
    return { ok: true as const, stack: cfg.stack, table: cfg.tableName }
  } catch (error) {
    throw createError({ statusCode: 503, message: `The event table ${cfg.tableName} is not reachable: ${(error as Error).message}` })
  }
})
