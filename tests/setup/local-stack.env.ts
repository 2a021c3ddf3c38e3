/**
 * Setup file of the integration and e2e projects (runs in every test worker): points
 * configuration at the local stack the global setup started, and drops the caches that
 * may have been filled before (configuration, SDK clients, queue URLs).
 */
import { inject } from 'vitest'
import { resetConfig } from '../../server/config'
import { resetClients } from '../../server/aws/clients'
import { resetQueueUrls } from '../../server/aws/queue'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The CIS_* variables of the stack started by tests/setup/local-stack.global.ts. */
    localStackEnv: Record<string, string>
  }
}

Object.assign(process.env, inject('localStackEnv'))
resetConfig()
resetClients()
resetQueueUrls()
