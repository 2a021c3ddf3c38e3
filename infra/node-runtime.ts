/**
 * The one Node.js major the project runs on, everywhere: development and tests (`.nvmrc`,
 * read by nvm, fnm and `.ci/run`; `engines` in package.json, checked by
 * server/local/require-node.mjs), the build target of the web and queue bundles (this
 * module) and Lambda's runtime (`Runtime` in infra/template.yaml). `.nvmrc` holds it;
 * tests/unit/infra/node-runtime.test.ts fails when any of the others disagrees.
 */
import { readFileSync } from 'node:fs'

export const nodeMajor = Number(readFileSync(new URL('../.nvmrc', import.meta.url), 'utf8').trim())

/** The esbuild / Vite target for server code: the syntax this Node.js runs as it is. */
export const nodeBuildTarget = `node${nodeMajor}`

/** The Lambda runtime identifier of that Node.js. */
export const lambdaRuntime = `nodejs${nodeMajor}.x`
