/**
 * One measurement of `npm run bench:bulk` in a process of its own (bundled by esbuild and run
 * with plain `node`, as the deployed worker runs a bundle): `papaparse <file>` is papaparse's
 * bare streaming parse of the file (the baseline); `entries <file>` the list reader entry by
 * entry (readList, checkListEntries(entries, null), summarizeList); `batches <file>` the same
 * a batch at a time, as the list worker and `cis check-list` read (readListBatches,
 * checkListBatches, summarizeList). Prints one JSON line.
 */
import { createReadStream } from 'node:fs'
import Papa from 'papaparse'
import { readList, readListBatches } from '../../server/domain/lists/read-list'
import { summarizeList } from '../../server/domain/lists/summarize-list'
import { checkListBatches, checkListEntries } from '../../server/services/list-checks'

const [kind, path] = process.argv.slice(2) as ['papaparse' | 'entries' | 'batches', string]

/** Data rows papaparse finds (the header and blank lines not counted). */
function bareParse(file: string): Promise<{ rows: number }> {
  return new Promise((resolve, reject) => {
    let rows = -1
    Papa.parse<string[]>(createReadStream(file), {
      skipEmptyLines: true,
      chunk: (results) => {
        rows += results.data.length
      },
      complete: () => resolve({ rows }),
      error: reject,
    })
  })
}

async function readerPass(file: string, batched: boolean) {
  const options = { layout: 'auto', maxBytes: 2 ** 31 } as const
  const summary = await summarizeList(
    batched ? checkListBatches(readListBatches(createReadStream(file), options), null) : checkListEntries(readList(createReadStream(file), options), null),
  )
  return { rows: summary.rows, valid: summary.valid, invalid: summary.invalid.length, duplicates: summary.duplicates.length }
}

const baselineRss = process.memoryUsage().rss
const started = performance.now()
const cpuStarted = process.cpuUsage()
const counts = kind === 'papaparse' ? await bareParse(path) : await readerPass(path, kind === 'batches')
const seconds = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuStarted)
process.stdout.write(
  JSON.stringify({
    ...counts,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    /** The process before reading (Node.js and the modules). */
    baselineRssMB: baselineRss / 1024 / 1024,
  }) + '\n',
)
