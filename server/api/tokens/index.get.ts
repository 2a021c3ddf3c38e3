// The caller's API tokens (ids, labels, dates; never the tokens themselves).
import { ApiTokenListSchema } from '../../../shared/schemas/tokens'
import { defineOperation } from '../../../shared/schemas/api'
import { listApiTokens } from '../../services/api-tokens'
import { defineApiRoute } from '../../utils/api-route'
import { requireCaller } from '../../utils/caller'

export const operation = defineOperation({
  summary: "The caller's API tokens (ids, labels, dates; never the tokens).",
  tag: 'tokens',
  responses: { 200: { description: 'The tokens.', schema: ApiTokenListSchema } },
})

export default defineApiRoute(operation, async (event) => ({ tokens: await listApiTokens((await requireCaller(event)).email) }))
