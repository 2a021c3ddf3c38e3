/**
 * Shapes of invitation lists: the dashboard's VIP list (one event, a file uploaded to S3 or
 * pasted addresses), lists mailed to the bulk mailbox, and the batch API. A list is read
 * and checked by a worker, then, once the organizer types YES (mailed lists need no YES:
 * the authorized sender's mail is the request), queued into the one send pipeline.
 */
import { z } from 'zod'
import { cursorField, instant } from './api'
import { INVITE_OUTCOMES } from './invites'

/**
 * Where a list is: `uploading` (waiting for the file), `checking` (a worker reads it),
 * `checked` (preview ready, waiting for YES), `unreadable` (the file is not a list: see
 * `problem`), `queueing` (a worker invites its rows), `queued` (every row is queued or
 * refused; the send worker goes on sending).
 */
export const LIST_PHASES = ['uploading', 'checking', 'checked', 'unreadable', 'queueing', 'queued'] as const
export type ListPhase = (typeof LIST_PHASES)[number]

/** How a list came: the dashboard (`vip`) or the bulk mailbox (`bulk`): the invitations' origin too. */
export const LIST_ORIGINS = ['vip', 'bulk'] as const
export type ListOrigin = (typeof LIST_ORIGINS)[number]

/** The largest list pasted into the dashboard (text sent in the request); files go to S3. */
export const MAX_PASTED_LIST_CHARACTERS = 200_000

export const ListParamsSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/, 'There is no such list.'),
})

export const ListCreateBodySchema = z.union([
  z.object({
    /** The file's name as the organizer chose it (shown in the list of batches). */
    fileName: z.string().min(1).max(200, 'The file name is too long.'),
    /** Its size in bytes: the upload URL is signed for exactly this size. */
    size: z.number().int().min(1, 'The file is empty.'),
  }),
  z.object({
    text: z
      .string()
      .min(1, 'Paste at least one address.')
      // The sentence is made when needed: a process's first Intl call costs 15-20 ms, too much for every cold start.
      .max(MAX_PASTED_LIST_CHARACTERS, { error: () => `That is too much to paste (${MAX_PASTED_LIST_CHARACTERS.toLocaleString('en')} characters at most); upload it as a file.` }),
  }),
])
export type ListCreateBody = z.infer<typeof ListCreateBodySchema>

export const ListSendBodySchema = z.object({
  confirm: z.literal('YES', { error: 'Type YES (in capitals) to send the invitations.' }),
})

export const ListViewSchema = z
  .object({
    id: z.string(),
    origin: z.enum(LIST_ORIGINS),
    /** The event every row is for (a VIP list); null for a mailed list, whose rows name theirs. */
    eventUid: z.string().nullable(),
    fileName: z.string().nullable(),
    phase: z.enum(LIST_PHASES),
    /** Why the file is unreadable, in one sentence. */
    problem: z.string().nullable(),
    /** Rows read so far (data rows: not the header, not blank lines). */
    rows: z.number().int(),
    /** Of those, the rows that can be invited, as checked before sending. */
    valid: z.number().int(),
    invalid: z.number().int(),
    duplicates: z.number().int(),
    /** Invitations this list queued. */
    queued: z.number().int(),
    /** Rows refused while queueing (a limit, or what changed since the check), each listed with its reason. */
    refused: z.number().int(),
    /** What became of the queued invitations. */
    sent: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    /** Every row is queued or refused, and every queued invitation sent, failed or skipped. */
    done: z.boolean(),
    createdAt: instant(),
    confirmedAt: instant().nullable(),
    finishedAt: instant().nullable(),
  })
  .meta({ id: 'InvitationList' })
export type ListView = z.infer<typeof ListViewSchema>

export const ListAnswerSchema = z.object({ list: ListViewSchema })

export const ListUploadAnswerSchema = z.object({
  list: ListViewSchema,
  /** Where the browser PUTs the file (straight to S3), with these headers; then it calls POST /api/lists/{id}/check. */
  upload: z.object({ url: z.string(), method: z.literal('PUT'), headers: z.record(z.string(), z.string()) }).optional(),
})

export const ListPageSchema = z.object({ lists: z.array(ListViewSchema) })

/** `check`: found while reading and checking (the preview); `send`: refused while queueing. */
export const LIST_PASSES = ['check', 'send'] as const
export type ListPass = (typeof LIST_PASSES)[number]

export const RejectedRowSchema = z
  .object({
    row: z.number().int(),
    value: z.string(),
    reason: z.string(),
    pass: z.enum(LIST_PASSES),
  })
  .meta({ id: 'RejectedRow' })
export type RejectedRow = z.infer<typeof RejectedRowSchema>

export const RejectedRowsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2000).optional(),
})

export const RejectedRowPageSchema = z.object({ rejected: z.array(RejectedRowSchema), cursor: cursorField })

// ------------------------------------------------------------------ the batch API

export const MAX_BATCH_ROWS = 1000

export const BatchInviteRowSchema = z.object({
  uid: z.string(),
  email: z.string(),
  name: z.string().nullable().optional(),
})

export const BatchInviteBodySchema = z
  .array(BatchInviteRowSchema)
  .min(1, 'Send at least one row.')
  .max(MAX_BATCH_ROWS, { error: () => `Send ${MAX_BATCH_ROWS.toLocaleString('en')} rows a call at most.` })
  .meta({
    example: [
      { uid: 'launch-2027@example.org', email: 'ann@example.org', name: 'Ann Example' },
      { uid: 'launch-2027@example.org', email: 'bob@example.org' },
    ],
  })

export const BatchInviteResultSchema = z
  .object({
    /** The row's place in the request, from 1. */
    row: z.number().int(),
    uid: z.string(),
    email: z.string(),
    outcome: z.enum(INVITE_OUTCOMES),
    reason: z.string(),
  })
  .meta({ id: 'BatchInviteResult' })

export const BatchInviteAnswerSchema = z.object({
  queued: z.number().int(),
  alreadyInvited: z.number().int(),
  refused: z.number().int(),
  results: z.array(BatchInviteResultSchema),
})
