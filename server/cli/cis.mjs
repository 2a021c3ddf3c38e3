#!/usr/bin/env node
// `cis` entry: runs the TypeScript command line through tsx, so no build step is needed.
import { register } from 'tsx/esm/api'
import { exitUnlessSupportedNode } from '../local/require-node.mjs'

exitUnlessSupportedNode()
register()
await import('./cis.ts')
