/**
 * Global setup of the integration and e2e projects: one local stack per test run, on
 * free ports and in a fresh temporary folder, so runs never touch the developer's
 * `npm run dev` stack (fixed ports, `.data/`) nor each other. Its CIS_* variables reach
 * the test workers through `provide` / `inject` (see local-stack.env.ts).
 *
 * CIS_TEST_STACK_LOG=1 prints what the stack does (mail received, resources created).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { tsImport } from 'tsx/esm/api'
import type { TestProject } from 'vitest/node'
// Type-only: brings in the ProvidedContext declaration without running the setup file.
import type {} from './local-stack.env'

type StackModule = typeof import('../../server/local/stack')

export default async function setup(project: TestProject) {
  // Loaded with tsx (Node's own loader) rather than through Vitest's module runner, which
  // transforms the AWS SDK's ES build module by module here: ~8 s instead of ~0.5 s.
  const { startLocalStack } = (await tsImport('../../server/local/stack.ts', import.meta.url)) as StackModule
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cis-test-stack-'))
  const stack = await startLocalStack({
    dataDir,
    ports: 'free',
    dynamodbInMemory: true,
    // Default resource names whatever the developer's shell exports.
    env: {},
    // Mail whose envelope sender is at forged.test fails SPF and DKIM, as a forger's would:
    // decided from the SMTP session, never from the message.
    smtpVerdicts: (envelope) => (/@forged\.test$/i.test(envelope.mailFrom) ? { spf: 'fail', dkim: 'fail' } : {}),
    log: process.env.CIS_TEST_STACK_LOG ? (line) => console.log(`[local stack] ${line}`) : undefined,
  })
  project.provide('localStackEnv', stack.env)

  return async function teardown() {
    await stack.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}
