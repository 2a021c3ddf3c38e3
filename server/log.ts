/**
 * The server's one logger: Powertools for AWS Lambda's Logger. On Lambda every entry is one
 * JSON object on one line, which CloudWatch Logs Insights reads field by field; locally
 * (`npm run dev`) one readable line. A line carries the trace keys (TraceKeys) its logger
 * knows: handlers give each record a child logger (withTrace) with the record's keys, so
 * every line about one inbound message carries its S3 key and one search finds them all.
 * Errors go in as `{ error }`: Powertools writes their name, message, stack and cause.
 */
import { inspect } from 'node:util'
import { Logger, LogLevelThreshold, type LogItem } from '@aws-lambda-powertools/logger'
import type { ConstructorOptions, LogLevel } from '@aws-lambda-powertools/logger/types'
import { logFormat } from './config'

export type { Logger }

/** The keys that trace a message through the logs, each named here once. */
export type TraceKeys = {
  /** The inbound message's object key in the mail bucket (`create/…`, `rsvp/…`, `bulk/…`). */
  s3Key?: string
  /** The SQS message a queue handler is working on. */
  sqsMessageId?: string
  /** The event's UID. */
  eventUid?: string
  /** The id SES gave a message the server sent; bounces and complaints name it. */
  sesMessageId?: string
  /** The organizer's address, as their calendar names it. */
  organizer?: string
}

/** Takes each line (JSON) instead of stdout and stderr: how a test reads what was logged. */
export type LogOutput = (line: string) => void

const SERVICE_NAME = 'calendar-invite-server'

/** Keys every line has, or has on Lambda: the readable line leaves them out. */
const STANDARD_KEYS = new Set([
  'level', 'message', 'timestamp', 'service', 'sampling_rate', 'cold_start', 'function_arn',
  'function_memory_size', 'function_name', 'function_request_id', 'xray_trace_id', 'tenant_id',
])

const bare = (text: string) => (/^[^\s"=]+$/.test(text) ? text : JSON.stringify(text))

/**
 * Why a subclass: Powertools prints whatever a custom LogFormatter returns as JSON, and its
 * own development mode (POWERTOOLS_DEV) indents each entry's JSON over many lines and
 * replaces the trace method of the process's global console, which others share. In
 * `npm run dev`, where the app's and the queue handlers' lines interleave, one line per
 * entry (level, message, keys) reads best, with an error's stack and causes under it;
 * printLog is the method Powertools leaves to subclasses for how a line is printed.
 */
class ServerLogger extends Logger {
  // A plain field, not #private: Powertools may print (through printLog) while its
  // constructor runs, before a subclass's private fields exist.
  private readonly output?: LogOutput

  constructor(options: ConstructorOptions & { output?: LogOutput }) {
    const { output, ...powertoolsOptions } = options
    super(powertoolsOptions)
    this.output = output
  }

  // Powertools starts every instance "cold", children too, so each child made in a warm
  // invocation would say cold_start: true: a child says what its parent said.
  private coldStartOfParent?: boolean
  private lastColdStart = false

  protected override getColdStart(): boolean {
    this.lastColdStart = this.coldStartOfParent ?? super.getColdStart()
    return this.lastColdStart
  }

  // Children (createChild) are made here: they keep the output and the parent's cold start.
  protected override createLogger(options?: ConstructorOptions): Logger {
    const child = new ServerLogger({ ...options, output: this.output })
    child.coldStartOfParent = this.lastColdStart
    return child
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    // Read at each line, not once: `npm run dev` sets it after importing the handlers.
    const text = !this.output && logFormat() === 'text'
    if (!this.output && !text) return super.printLog(logLevel, log)
    log.prepareForPrint()
    const attributes = log.getAttributes()
    if (this.output) return this.output(JSON.stringify(attributes, this.getJsonReplacer()))
    const stream = logLevel >= LogLevelThreshold.WARN ? process.stderr : process.stdout
    stream.write(`${this.readableLine(attributes)}\n`)
  }

  private readableLine(attributes: Record<string, unknown>): string {
    const errors: Error[] = []
    const pairs = Object.entries(attributes)
      .filter(([key]) => !STANDARD_KEYS.has(key))
      .map(([key, value]) => {
        if (value instanceof Error) {
          errors.push(value)
          return `${key}=${bare(`${value.name}: ${value.message}`)}`
        }
        return `${key}=${typeof value === 'string' ? bare(value) : JSON.stringify(value, this.getJsonReplacer())}`
      })
    const line = [`${String(attributes.level).padEnd(5)} ${String(attributes.message)}`, ...pairs].join('  ')
    // util.inspect shows an error as Node prints it: stack, own properties, [cause] chain.
    const stacks = errors.map((error) => inspect(error, { depth: 4 }).replace(/^/gm, '    '))
    return [line, ...stacks].join('\n')
  }
}

/** A logger of its own, with the server's name; `output` takes its lines (tests). */
export function createLogger(options: { logLevel?: LogLevel; output?: LogOutput } = {}): Logger {
  return new ServerLogger({ serviceName: SERVICE_NAME, ...options })
}

/**
 * The process's logger: its level comes from POWERTOOLS_LOG_LEVEL (INFO by default), and on
 * Lambda each handler adds the invocation's context (request id, function, cold start).
 */
export const logger = createLogger()

/** A child of `parent` whose every line also carries `keys`. */
export function withTrace(parent: Logger, keys: TraceKeys): Logger {
  return parent.createChild({ persistentKeys: keys })
}
