#!/usr/bin/env node
// `cis` entry: runs the TypeScript command line through tsx, so no build step is needed.
import { register } from 'tsx/esm/api'

// The SDK's notice that its 2027 releases need Node 22 would mix into the JSON output's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

register()
await import('./cis.ts')
