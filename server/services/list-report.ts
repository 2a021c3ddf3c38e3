/**
 * The status mail of a list mailed to the bulk mailbox: what was accepted and what was
 * rejected, with the reasons. PLANNED: built with the bulk mailbox; until then nothing is sent.
 */
import type { SendJob } from './send-jobs'
import type { SendContext, SendResult } from './send-worker'

export async function deliverListReport(job: Extract<SendJob, { type: 'list-report' }>, _context: SendContext): Promise<SendResult> {
  return { outcome: 'skipped', reason: `The status mail of list ${job.listId} is not built yet.` }
}
