import { DescribeTableCommand } from '@aws-sdk/client-dynamodb'
import { clients } from '../aws/clients'
import { config } from '../config'

// Readiness: the table answers. Says which backend so a misconfigured deploy is obvious.
export default defineEventHandler(async () => {
  const cfg = config()
  try {
    await clients().dynamodb.send(new DescribeTableCommand({ TableName: cfg.tableName }))
    return { ok: true, stack: cfg.stack, table: cfg.tableName }
  } catch (error) {
    throw createError({ statusCode: 503, message: `The event table ${cfg.tableName} is not reachable: ${(error as Error).message}` })
  }
})
