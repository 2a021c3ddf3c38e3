/**
 * The sentence a reader sees when a call to the API failed. API errors are JSON with a
 * one-sentence `message` (a refused invite says why in `reason`): that sentence is shown as
 * it is. A failure without one (no network, a crash's bare "Server Error", a gateway's
 * page) gets `fallback`, the page's own sentence for what could not be done.
 */
export function apiErrorSentence(failure: unknown, fallback: string): string {
  const data = field(failure, 'data')
  for (const said of [field(data, 'message'), field(data, 'reason'), field(data, 'statusMessage')]) {
    if (typeof said === 'string' && /[.!?]$/.test(said.trim())) return said.trim()
  }
  return fallback
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined
}
