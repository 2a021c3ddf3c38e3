// The caller's API tokens (ids, labels, dates; never the tokens themselves).
import { listApiTokens } from '../../services/api-tokens'
import { requireCaller } from '../../utils/caller'

export default defineEventHandler(async (event) => ({ tokens: await listApiTokens((await requireCaller(event)).email) }))
