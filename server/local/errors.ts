/**
 * An error the developer can fix (a port in use, Java missing): its message is one
 * complete sentence and the dev script prints just that, without a stack trace.
 */
export class LocalStackError extends Error {
  override name = 'LocalStackError'
}
