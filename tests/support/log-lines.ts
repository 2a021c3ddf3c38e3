/** A logger whose lines a test reads: each entry as it would reach CloudWatch, one JSON object a line. */
import { createLogger, type Logger } from '../../server/log'

export interface LogEntry {
  level: string
  message: string
  [key: string]: unknown
}

/** Captures every line from INFO up, whatever level the tests run at; nothing is printed. */
export function captureLog(): { log: Logger; lines: string[]; entries: () => LogEntry[] } {
  const lines: string[] = []
  const log = createLogger({ logLevel: 'INFO', output: (line) => lines.push(line) })
  return { log, lines, entries: () => lines.map((line) => JSON.parse(line) as LogEntry) }
}
