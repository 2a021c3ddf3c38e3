/**
 * `cis check-list FILE --event UID` against the test stack: the server's checks of the
 * dashboard's preview (already invited, unsubscribed, bounced, the server's own mailboxes)
 * on top of what the file alone shows; an unknown event is one sentence and exit 1.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { promisify } from 'node:util'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { EntityRepository } from 'dynamodb-toolbox'
import { repoRoot } from '../../corpus'
import { mailbox, useFreshSendQueue, useFreshTable } from '../support'
import { EventEntity } from '../../../server/aws/table'
import { inviteToEvent } from '../../../server/services/invitations'
import { recordSesNotification, unsubscribe } from '../../../server/services/suppression'
import { LIST_REASONS } from '../../../server/domain/lists/list-entry'

const run = promisify(execFile)
const cis = (...args: string[]) =>
  run(process.execPath, [path.join(repoRoot, 'server/cli/cis.mjs'), ...args], { cwd: repoRoot, env: process.env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  )

describe('cis check-list --event', () => {
  beforeAll(async () => {
    await useFreshTable()
    await useFreshSendQueue(3)
  })

  it('adds the server\'s checks for that event to what the file shows', async () => {
    const uid = `check-list-${randomUUID()}@test`
    await EventEntity.build(EntityRepository).put({ uid, organizerEmail: 'cora@check.example', organizerDomain: 'check.example', summary: 'Checked', start: '2027-05-01T10:00:00Z', dtstamp: '2026-11-01T00:00:00Z' })
    await inviteToEvent({ eventUid: uid, email: 'invited@guests.example', origin: 'api', invitedBy: 'cora@check.example' })
    await unsubscribe('left@guests.example')
    await recordSesNotification({
      kind: 'bounce', permanent: true, recipients: [{ email: 'bounced@guests.example', detail: 'mailbox unknown' }],
      at: new Date().toISOString(), type: 'Bounce', description: 'A permanent bounce.',
    })
    const folder = await mkdtemp(path.join(os.tmpdir(), 'cis-check-list-'))
    const file = path.join(folder, 'guests.csv')
    await writeFile(file, ['email', 'new@guests.example', 'invited@guests.example', 'left@guests.example', 'bounced@guests.example', mailbox('rsvp'), 'broken@', 'NEW@guests.example'].join('\n'))

    const checked = await cis('check-list', file, '--event', uid)
    expect(checked.stderr).toBe('')
    expect(JSON.parse(checked.stdout)).toEqual({
      rows: 7,
      valid: 1,
      invalid: [
        { row: 3, value: 'invited@guests.example', reason: LIST_REASONS.alreadyInvited },
        { row: 4, value: 'left@guests.example', reason: LIST_REASONS.unsubscribed },
        { row: 5, value: 'bounced@guests.example', reason: LIST_REASONS.suppressed },
        { row: 6, value: mailbox('rsvp'), reason: LIST_REASONS.serverMailbox },
        { row: 7, value: 'broken@', reason: LIST_REASONS.invalidAddress },
      ],
      duplicates: [{ row: 8, value: 'NEW@guests.example', firstRow: 2 }],
    })
    // Without --event, only what the file and the configuration show.
    expect(JSON.parse((await cis('check-list', file)).stdout)).toMatchObject({ rows: 7, valid: 4 })

    expect(await cis('check-list', file, '--event', 'no-such-event@test')).toEqual({ code: 1, stdout: '', stderr: 'cis: There is no event no-such-event@test.\n' })
  })
})
