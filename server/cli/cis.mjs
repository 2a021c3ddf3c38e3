#!/usr/bin/env node
// `cis` entry: runs the TypeScript command line through tsx, so no build step is needed.
import { register } from 'tsx/esm/api'

register()
await import('./cis.ts')
