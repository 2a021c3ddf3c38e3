/** A command given wrongly (unknown words, a mistyped address or number): one sentence on stderr, exit 2. */
export class UsageError extends Error {}
