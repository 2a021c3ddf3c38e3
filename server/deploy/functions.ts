/**
 * The Lambda functions of infra/template.yaml and where their builds land: `npm run
 * build:aws` zips each `serverDir` to `dist/aws/<name>.zip` (its `index.mjs` at the zip's
 * root, for `Handler: index.handler`), uploaded under the parameter `codeKey`. The SES events
 * queue has no function of its own: the send function takes it (server/queues/send.lambda.ts).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const distDir = path.join(repoRoot, 'dist/aws')
/** What `nuxi build` writes: the web function's server and the files it does not serve. */
export const webOutputDir = path.join(repoRoot, '.output')

export interface LambdaFunction {
  name: 'web' | 'inbound-mail' | 'send'
  kind: 'web' | 'queue'
  /** The template's parameter naming the zip's key in CodeBucket. */
  codeKey: 'WebCodeKey' | 'InboundCodeKey' | 'SendCodeKey'
  serverDir: string
}

export const lambdaFunctions: readonly LambdaFunction[] = [
  { name: 'web', kind: 'web', codeKey: 'WebCodeKey', serverDir: path.join(webOutputDir, 'server') },
  { name: 'inbound-mail', kind: 'queue', codeKey: 'InboundCodeKey', serverDir: path.join(repoRoot, '.output-queues/inbound-mail/server') },
  { name: 'send', kind: 'queue', codeKey: 'SendCodeKey', serverDir: path.join(repoRoot, '.output-queues/send/server') },
]

export const zipPath = (fn: LambdaFunction) => path.join(distDir, `${fn.name}.zip`)
export const assetsDir = path.join(distDir, 'assets')

/** Bytes as people read them: `1.7 MB`, `312 kB`. */
export function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`
}
