import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Context } from 'aws-lambda'
import { createLogger, withTrace } from '../../../server/log'

/** What the logger writes to stdout and stderr while `run` runs. */
function printed(run: () => void): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' }
  const capture = (stream: 'stdout' | 'stderr') =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      out[stream] += String(chunk)
      return true
    })
  const spies = [capture('stdout'), capture('stderr')]
  try {
    run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return out
}

const failure = () => new Error('Processing failed', { cause: Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }) })

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('the server logger, as on Lambda (JSON)', () => {
  it('prints one JSON object a line, with the trace keys of every logger up the chain', () => {
    const { stdout, stderr } = printed(() => {
      const record = withTrace(createLogger({ logLevel: 'INFO' }), { sqsMessageId: 'm-1' })
      withTrace(record, { s3Key: 'create/abc', eventUid: 'uid-1@example.com', organizer: 'olga@example.com' }).info('inbound message processed', { outcome: 'created' })
    })
    expect(stderr).toBe('')
    expect(stdout).toMatch(/^[^\n]+\n$/)
    expect(JSON.parse(stdout)).toMatchObject({
      level: 'INFO',
      message: 'inbound message processed',
      service: 'calendar-invite-server',
      timestamp: expect.any(String),
      sqsMessageId: 'm-1',
      s3Key: 'create/abc',
      eventUid: 'uid-1@example.com',
      organizer: 'olga@example.com',
      outcome: 'created',
    })
  })

  it('writes an error with its name, message, stack and cause, on stderr', () => {
    const { stdout, stderr } = printed(() => {
      withTrace(createLogger({ logLevel: 'INFO' }), { s3Key: 'create/abc' }).error('inbound message failed', { error: failure() })
    })
    expect(stdout).toBe('')
    const entry = JSON.parse(stderr)
    expect(entry).toMatchObject({
      level: 'ERROR',
      s3Key: 'create/abc',
      error: {
        name: 'Error',
        message: 'Processing failed',
        stack: expect.stringContaining('log.test.ts'),
        cause: { name: 'ResourceNotFoundException', message: 'Requested resource not found' },
      },
    })
  })

  it("keeps each child's keys its own: records handled at once never mix their keys", () => {
    const lines: string[] = []
    const parent = createLogger({ logLevel: 'INFO', output: (line) => lines.push(line) })
    const first = withTrace(parent, { s3Key: 'create/one' })
    const second = withTrace(parent, { s3Key: 'create/two', eventUid: 'two' })
    first.info('a')
    second.info('b')
    parent.info('c')
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ message: 'a', s3Key: 'create/one' }),
      expect.objectContaining({ message: 'b', s3Key: 'create/two', eventUid: 'two' }),
      expect.not.objectContaining({ s3Key: expect.anything() }),
    ])
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('eventUid')
  })

  it("says cold_start as the invocation's own logger does, on every child's lines too", () => {
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand')
    const lines: string[] = []
    const root = createLogger({ logLevel: 'INFO', output: (line) => lines.push(line) })
    const context = (awsRequestId: string) => ({ awsRequestId, functionName: 'inbound', functionVersion: '$LATEST', invokedFunctionArn: 'arn', memoryLimitInMB: '512' }) as Context
    for (const invocation of ['first', 'second']) {
      root.addContext(context(invocation))
      root.info('root')
      withTrace(withTrace(root, { sqsMessageId: invocation }), { s3Key: 'create/abc' }).info('grandchild')
    }
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ function_request_id: 'first', cold_start: true, message: 'root' }),
      expect.objectContaining({ function_request_id: 'first', cold_start: true, message: 'grandchild' }),
      expect.objectContaining({ function_request_id: 'second', cold_start: false, message: 'root' }),
      expect.objectContaining({ function_request_id: 'second', cold_start: false, message: 'grandchild' }),
    ])
  })

  it('prints nothing below its level, and leaves out keys without a value', () => {
    const lines: string[] = []
    const log = createLogger({ logLevel: 'WARN', output: (line) => lines.push(line) })
    log.info('not shown')
    withTrace(log, { s3Key: 'create/abc', eventUid: undefined }).warn('shown', { reason: undefined })
    expect(lines).toHaveLength(1)
    expect(Object.keys(JSON.parse(lines[0]!))).not.toContain('eventUid')
    expect(Object.keys(JSON.parse(lines[0]!))).not.toContain('reason')
  })
})

describe('the server logger under `npm run dev` (CIS_LOG_FORMAT=text)', () => {
  it('prints one readable line: level, message, then the keys', () => {
    vi.stubEnv('CIS_LOG_FORMAT', 'text')
    const { stdout } = printed(() => {
      withTrace(createLogger({ logLevel: 'INFO' }), { s3Key: 'create/abc' }).info('inbound message processed', { outcome: 'created', reason: 'New event "Review".', suppressed: ['a@example.org'] })
    })
    expect(stdout).toBe('INFO  inbound message processed  s3Key=create/abc  outcome=created  reason="New event \\"Review\\"."  suppressed=["a@example.org"]\n')
  })

  it("puts an error's stack and causes under its line, on stderr", () => {
    vi.stubEnv('CIS_LOG_FORMAT', 'text')
    const { stdout, stderr } = printed(() => {
      withTrace(createLogger({ logLevel: 'INFO' }), { sqsMessageId: 'm-1', s3Key: 'create/abc' }).error('inbound message failed', { error: failure() })
    })
    expect(stdout).toBe('')
    const [line, ...stack] = stderr.trimEnd().split('\n')
    expect(line).toBe('ERROR inbound message failed  sqsMessageId=m-1  s3Key=create/abc  error="Error: Processing failed"')
    expect(stack[0]).toBe('    Error: Processing failed')
    expect(stack.join('\n')).toMatch(/\[cause\]: ResourceNotFoundException: Requested resource not found/)
  })

  it('is JSON again for any other value', () => {
    vi.stubEnv('CIS_LOG_FORMAT', 'yaml')
    const { stdout } = printed(() => createLogger({ logLevel: 'INFO' }).info('hello'))
    expect(JSON.parse(stdout)).toMatchObject({ level: 'INFO', message: 'hello' })
  })
})
